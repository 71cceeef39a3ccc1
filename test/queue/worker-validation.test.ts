import assert from 'node:assert/strict';
import { mkdir, mkdtemp, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { predictQueueName } from '../../src/queue/names.js';
import { startWorker, type RunningWorker } from '../../src/queue/worker.js';
import { startRedis, type TestRedis } from '../helpers/redis.js';

const options = { threshold: 0.5, buffer: 0, format: 'uint8', tile: 256, overlap: 64, sensor: null };
const valid = {
  v: 1,
  kind: 'scene',
  runId: 'run-lx2k3-0123456789ab',
  input: 'in/a.tif',
  model: 'in/model.safetensors',
  outputDir: 'out',
  stem: 'a',
  sceneKey: '0123456789abcdef0123456789abcdef',
  options,
};

const composite = {
  v: 1,
  kind: 'composite',
  runId: 'run-lx2k3-0123456789ab',
  images: ['in/a.tif'],
  masksDir: 'masks',
  masksRoot: 'output',
  outputDir: 'out',
  stem: 'site',
  sceneKey: '0123456789abcdef0123456789abcdef',
  options: { method: 'mean', threshold: 0.5, from: null, to: null, count: false, allowMissing: false },
};

let server: TestRedis;
let connection: Redis;
let base: string;
let worker: RunningWorker;
const events: Record<string, unknown>[] = [];

before(async () => {
  server = await startRedis();
  connection = new Redis(server.url, { maxRetriesPerRequest: null });
  base = await realpath(await mkdtemp(join(tmpdir(), 'autocm-worker-validation-')));
  await mkdir(join(base, 'inputs', 'in'), { recursive: true });
  await mkdir(join(base, 'outputs', 'masks'), { recursive: true });
  await mkdir(join(base, 'elsewhere'), { recursive: true });
  await writeFile(join(base, 'inputs', 'in', 'a.tif'), 'not used');
  await writeFile(join(base, 'inputs', 'in', 'model.safetensors'), 'not used');
  await writeFile(join(base, 'elsewhere', 'secret.tif'), 'secret');
  await writeFile(join(base, 'inputs', 'in', 'items.json'), '{"type":"FeatureCollection","features":[]}');
  await symlink(join(base, 'elsewhere', 'secret.tif'), join(base, 'inputs', 'in', 'link.tif'));
  await symlink(join(base, 'elsewhere'), join(base, 'outputs', 'escape'));
  worker = await startWorker(connection, {
    inputRoot: join(base, 'inputs'),
    outputRoot: join(base, 'outputs'),
    concurrency: 2,
    lockDurationMs: 5000,
    stalledIntervalMs: 5000,
    log: (event) => events.push(event),
  });
});

after(async () => {
  await worker?.close();
  connection?.disconnect();
  await server?.dispose();
  if (base) await rm(base, { recursive: true, force: true });
});

test('the worker fails hostile or malformed payloads at once, with the reason, and never starts them', async () => {
  const queue = new Queue(predictQueueName, { connection });
  const cases: [string, Record<string, unknown>, RegExp][] = [
    ['unknown-kind', { ...valid, kind: 'exec', command: 'touch /tmp/pwned' }, /unknown job kind "exec"/],
    ['extra-field', { ...valid, shell: 'sh -c id' }, /unknown field 'shell'/],
    ['dot-dot', { ...valid, input: '../elsewhere/secret.tif' }, /'\.\.' is not allowed/],
    ['absolute-outside', { ...valid, input: join(base, 'elsewhere', 'secret.tif') }, /is outside/],
    ['symlink-input', { ...valid, input: 'in/link.tif' }, /symbolic link/],
    ['symlink-output', { ...valid, outputDir: 'escape/sub' }, /output folder: .*symbolic link/],
    ['model-outside', { ...valid, model: '/etc/passwd' }, /model: .*is outside/],
    ['bad-number', { ...valid, options: { ...options, threshold: 7 } }, /threshold must be a number in \[0, 1\]/],
    ['folder-input', { ...valid, input: 'in' }, /input: .* is not a \.tif\/\.tiff file/],
    ['stac-input', { ...valid, input: 'in/items.json' }, /input: .*items\.json is not a \.tif/],
    ['model-not-weights', { ...valid, model: 'in/a.tif' }, /model: .* is not a \.safetensors file/],
    ['composite-image-outside', { ...composite, images: ['in/a.tif', '/etc/passwd'] }, /image: \/etc\/passwd is outside/],
    ['composite-image-link', { ...composite, images: ['in/link.tif'] }, /image: .*symbolic link/],
    ['composite-masks-outside', { ...composite, masksDir: '../elsewhere' }, /'\.\.' is not allowed/],
    ['composite-masks-not-folder', { ...composite, masksDir: 'in/a.tif', masksRoot: 'input' }, /masks folder: .* is not a folder/],
    ['composite-output-link', { ...composite, outputDir: 'escape' }, /output folder: .*symbolic link/],
  ];
  for (const [id, data] of cases) await queue.add('scene', data, { jobId: `bad-${id}`, attempts: 3, backoff: { type: 'fixed', delay: 10 } });
  for (const [id, , reason] of cases) {
    let state = '';
    for (let i = 0; i < 200 && state !== 'failed'; i++) {
      state = await queue.getJobState(`bad-${id}`);
      if (state !== 'failed') await new Promise((resolve) => setTimeout(resolve, 25));
    }
    const job = (await queue.getJob(`bad-${id}`))!;
    assert.equal(state, 'failed', id);
    assert.match(job.failedReason, reason, id);
    assert.equal(job.attemptsMade, 1, `${id}: not retried`);
  }
  assert.deepEqual(events.filter((event) => event.event === 'active'), [], 'no job reached the child process');
  await queue.close();
});
