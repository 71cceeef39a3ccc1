import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { unetLayers, unetSpec } from '../../src/model/description.js';
import { initParameters } from '../../src/model/init.js';
import { loadModel, saveModel, unetParameterSpecs } from '../../src/model/weights.js';
import { DEFAULT_CONFIG, type TrainConfig } from '../../src/train/config.js';
import { modelMetadata, train } from '../../src/train/loop.js';
import { memoryScene } from '../../src/train/scene.js';

const BANDS = ['red', 'nir'];
const SIZE = 24;

function config(init: string): TrainConfig {
  return { ...DEFAULT_CONFIG, sensor: 'test', bands: BANDS, normalisation: 'reflectance', k: 2, crop: 16, offsetGrid: 4, steps: 2, learningRate: 0, seed: 1, init };
}

/** Six dated images of smooth reflectance patterns, 8 days apart. */
function tinyScene() {
  const n = SIZE * SIZE;
  const images = Array.from({ length: 6 }, (_, t) => Float32Array.from({ length: BANDS.length * n }, (_, j) => 0.1 + 0.05 * Math.sin(j / 7 + t) + (j >= n ? 0.2 : 0)));
  return memoryScene('tiny', images, BANDS.length, SIZE, SIZE, images.map((_, t) => new Date(Date.UTC(2020, 5, 1 + 8 * t))));
}

/** A model file of `bands` with U-Net weights from seed 99 (not the run's seed). */
async function writeInitModel(path: string, bands: string[]): Promise<Map<string, Float32Array>> {
  const tensors = initParameters(unetLayers(unetSpec(bands.length)), 99);
  await saveModel(path, {
    metadata: { ...modelMetadata({ ...config(''), bands }, { steps: 7 }), source: 'test init' },
    tensors,
    shapes: new Map(unetParameterSpecs(bands.length).map((p) => [p.name, p.shape])),
  });
  return tensors;
}

function run(dir: string, init: string) {
  return train({
    config: config(init),
    scenes: [tinyScene()],
    data: { sensor: 'test', bands: BANDS, scenes: [] },
    output: join(dir, 'tuned.safetensors'),
    checkpointEvery: 100,
    init,
    threads: 1,
    quiet: true,
    warn: () => {},
  });
}

test('--init: the run starts from the init U-Net (lr 0 keeps its weights) and records its lineage', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'autocm-init-'));
  try {
    const initPath = join(dir, 'init.safetensors');
    const initTensors = await writeInitModel(initPath, BANDS);
    const result = await run(dir, initPath);
    assert.equal(result.log.length, 2);
    const tuned = await loadModel(result.output);
    const scratch = initParameters(unetLayers(unetSpec(BANDS.length)), 1);
    for (const spec of unetParameterSpecs(BANDS.length).filter((p) => p.trainable)) {
      const saved = tuned.tensors.get(spec.name)!;
      const init = initTensors.get(spec.name)!;
      assert.ok(saved.every((v, i) => v === init[i]), `${spec.name} equals the init model's`);
      if (spec.role === 'kernel') assert.ok(saved.some((v, i) => v !== scratch.get(spec.name)![i]), `${spec.name} is not the scratch initialisation`);
    }
    const training = tuned.metadata.training as { init: { path: string; sha256: string; source: string; steps: number }; config: TrainConfig };
    assert.equal(training.init.path, initPath);
    assert.equal(training.init.sha256, createHash('sha256').update(await readFile(initPath)).digest('hex'));
    assert.equal(training.init.source, 'test init');
    assert.equal(training.init.steps, 7);
    assert.equal(training.config.init, initPath);
    assert.equal(training.config.maxSpanDays, 30);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('--init refuses a model of other bands (naming both lists) and a corrupt file (naming it)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'autocm-init-'));
  try {
    const other = join(dir, 'other-bands.safetensors');
    await writeInitModel(other, ['blue', 'green', 'red']);
    await assert.rejects(run(dir, other), (e: Error) => e.message.startsWith(`${other}: --init model has bands blue, green, red, the training data red, nir`));

    const good = join(dir, 'good.safetensors');
    await writeInitModel(good, BANDS);
    const bytes = await readFile(good);
    const truncated = join(dir, 'truncated.safetensors');
    await writeFile(truncated, bytes.subarray(0, bytes.length >> 1));
    await assert.rejects(run(dir, truncated), (e: Error) => e.message.startsWith(`${truncated}: `) && /has data offsets .* that do not fit the file/.test(e.message));
    const garbage = join(dir, 'garbage.safetensors');
    await writeFile(garbage, 'this is not a model');
    await assert.rejects(run(dir, garbage), (e: Error) => e.message.startsWith(`${garbage}: not an autocm .safetensors model file`));
    await assert.rejects(run(dir, join(dir, 'missing.safetensors')), /missing\.safetensors: cannot read model file \(ENOENT\)/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
