import assert from 'node:assert/strict';
import { readdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { DEFAULT_CONFIG, type TrainConfig } from '../../src/train/config.js';
import { train } from '../../src/train/loop.js';
import { memoryScene, type TrainingScene } from '../../src/train/scene.js';

const BANDS = ['red', 'nir'];
const SIZE = 24;
const CONFIG: TrainConfig = { ...DEFAULT_CONFIG, sensor: 'test', bands: BANDS, normalisation: 'reflectance', k: 2, crop: 16, offsetGrid: 4, steps: 2, seed: 1 };

/** Six dated images whose first read fails (a disk error, a file gone), so the run fails within step 1. */
function unreadableScene(): TrainingScene {
  const images = Array.from({ length: 6 }, () => new Float32Array(BANDS.length * SIZE * SIZE).fill(0.2));
  const scene = memoryScene('unreadable', images, BANDS.length, SIZE, SIZE, images.map((_, t) => new Date(Date.UTC(2020, 5, 1 + 8 * t))));
  return { ...scene, readTile: async () => Promise.reject(new Error('EIO: cannot read the image')) };
}

function run(output: string) {
  return train({ config: CONFIG, scenes: [unreadableScene()], data: { sensor: 'test', bands: BANDS, scenes: [] }, output, checkpointEvery: 1, threads: 1, quiet: true, warn: () => {} });
}

/** Six readable images that become unreadable once `failing()` says so. */
function sceneFailingLater(failing: () => boolean): TrainingScene {
  const images = Array.from({ length: 6 }, (_, t) => new Float32Array(BANDS.length * SIZE * SIZE).fill(0.1 + 0.02 * t));
  const scene = memoryScene('later', images, BANDS.length, SIZE, SIZE, images.map((_, t) => new Date(Date.UTC(2020, 5, 1 + 8 * t))));
  const readTile = scene.readTile.bind(scene);
  return { ...scene, readTile: (...args: Parameters<TrainingScene['readTile']>) => (failing() ? Promise.reject(new Error('EIO: the disk went away')) : readTile(...args)) };
}

test('a run that fails before its first step leaves no log or checkpoint, and keeps those of an earlier run', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'autocm-failed-train-'));
  try {
    await assert.rejects(run(join(dir, 'new.safetensors')), /cannot read the image/);
    assert.deepEqual(await readdir(dir), [], 'nothing beside a model never written');

    const log = '{"step":1,"loss":0.5,"rec":0.4,"spatial":0.1,"temporal":0.2,"seconds":1}\n';
    await writeFile(join(dir, 'old.safetensors.log.jsonl'), log);
    await writeFile(join(dir, 'old.checkpoint.safetensors'), 'checkpoint of the earlier run');
    await assert.rejects(run(join(dir, 'old.safetensors')), /cannot read the image/);
    assert.equal(await readFile(join(dir, 'old.safetensors.log.jsonl'), 'utf8'), log);
    assert.equal(await readFile(join(dir, 'old.checkpoint.safetensors'), 'utf8'), 'checkpoint of the earlier run');
    assert.deepEqual((await readdir(dir)).sort(), ['old.checkpoint.safetensors', 'old.safetensors.log.jsonl']);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a run that fails after a step but before its first checkpoint leaves no log (nothing could resume it)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'autocm-failed-train-'));
  try {
    let logged = 0;
    const output = join(dir, 'm.safetensors');
    const config = { ...CONFIG, steps: 3 };
    await assert.rejects(
      train({ config, scenes: [sceneFailingLater(() => logged >= 1)], data: { sensor: 'test', bands: BANDS, scenes: [] }, output, checkpointEvery: 10, threads: 1, quiet: true, warn: () => {}, onStep: () => void logged++ }),
      /the disk went away/,
    );
    assert.equal(logged, 1, 'step 1 was logged before the failure');
    assert.deepEqual(await readdir(dir), [], 'no log of a model never written');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
