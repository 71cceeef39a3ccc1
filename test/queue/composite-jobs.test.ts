/**
 * Composites on the queue: `autocm submit-composite` with a real Redis and one `autocm worker`
 * process, on synthetic stacks with their truth masks.
 */
import assert from 'node:assert/strict';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { compositeStack } from '../../src/composite/composite-stack.js';
import { reflectanceStackOf } from '../../src/raster/reflectance-stack.js';
import { InvalidPayloadError, validateJobData, type CompositeJobData } from '../../src/queue/payload.js';
import type { RunStatus } from '../../src/queue/status.js';
import { openStack } from '../../src/raster/stack.js';
import { synthesiseToFolder } from '../../src/synth/write-folder.js';
import { startRedis, type TestRedis } from '../helpers/redis.js';
import { runCli, runCliAsync, WorkerProcess } from './cluster.js';

const job: CompositeJobData = {
  v: 1,
  kind: 'composite',
  runId: 'run-abc-0123456789ab',
  images: ['stack/img_20230301.tif', 'stack/img_20230308.tif'],
  masksDir: 'stack/masks',
  masksRoot: 'input',
  outputDir: 'out',
  stem: 'stack',
  sceneKey: '0123456789abcdef0123456789abcdef',
  options: { method: 'median', threshold: 0.5, from: '2023-03-01', to: null, count: true, allowMissing: false },
};

test('composite job payloads: validated field by field', () => {
  assert.deepEqual(validateJobData(structuredClone(job)), job);
  // null: each probability file's recorded calibrated threshold (what submit-composite sends without --threshold).
  const calibrated = { ...job, options: { ...job.options, threshold: null } };
  assert.deepEqual(validateJobData(structuredClone(calibrated)), calibrated);
  const refused: [Record<string, unknown>, RegExp][] = [
    [{ ...job, options: { ...job.options, method: 'max' } }, /method must be mean, median or best/],
    [{ ...job, options: { ...job.options, threshold: 0 } }, /threshold must be a number/],
    [{ ...job, options: { ...job.options, from: '2023-04-01', to: '2023-03-01' } }, /from 2023-04-01 is after to 2023-03-01/],
    [{ ...job, options: { ...job.options, count: 'yes' } }, /count must be true or false/],
    [{ ...job, images: [] }, /images must be a non-empty array/],
    [{ ...job, images: ['a.tif', 7] }, /images\[1\] must be a non-empty path string/],
    [{ ...job, masksRoot: 'elsewhere' }, /masksRoot must be input or output/],
    [{ ...job, stem: '../x' }, /stem must match/],
    [{ ...job, command: 'rm -rf /' }, /unknown field 'command'/],
  ];
  for (const [payload, message] of refused) {
    assert.throws(() => validateJobData(payload), (error: unknown) => error instanceof InvalidPayloadError && message.test((error as Error).message), message.source);
  }
});

describe('autocm submit-composite with a worker (real Redis)', () => {
  let redisServer: TestRedis;
  let root: string;
  let worker: WorkerProcess;
  const stacks = ['siteA', 'siteB'];

  const waitForRun = async (runId: string): Promise<{ exit: number | null; status: RunStatus }> => {
    const result = await runCliAsync(['status', runId, '--wait', '--interval', '0.2', '--json', '--redis', redisServer.url]);
    assert.ok(result.stdout.length > 0, result.stderr);
    return { exit: result.status, status: JSON.parse(result.stdout) as RunStatus };
  };
  const submit = (args: string[]) => {
    const result = runCli(['submit-composite', ...args, '--redis', redisServer.url, '--input-root', root, '--output-root', root, '--json']);
    assert.equal(result.status, 0, result.stderr);
    return JSON.parse(result.stdout) as { runId: string; scenes: number; added: number; alreadyQueued: number };
  };

  before(async () => {
    redisServer = await startRedis();
    root = await mkdtemp(join(tmpdir(), 'autocm-composite-queue-'));
    for (const [i, name] of stacks.entries()) {
      await synthesiseToFolder(join(root, 'stacks', name), { size: 64, dates: 6, sensor: 'planetscope4', seed: 30 + i, quiet: true });
    }
    worker = await WorkerProcess.start(redisServer.url, root);
  });
  after(async () => {
    await worker?.kill('SIGKILL');
    await redisServer?.dispose();
    if (root) await rm(root, { recursive: true, force: true });
  });

  test('one job per stack; the outputs equal `autocm composite` byte for byte; a resubmission redoes nothing', async () => {
    const dest = join(root, 'composites');
    const first = submit([join(root, 'stacks', 'siteA'), '--masks', join(root, 'stacks', 'siteA', 'masks'), '-o', dest, '--method', 'median', '--count']);
    assert.equal(first.scenes, 1);
    assert.equal(first.added, 1);
    const { exit, status } = await waitForRun(first.runId);
    assert.equal(exit, 0, JSON.stringify(status));
    assert.equal(status.done, 1);
    assert.deepEqual((await readdir(dest)).sort(), ['.autocm', 'siteA_composite.tif', 'siteA_count.tif']);

    const local = join(root, 'local');
    await mkdir(local);
    const stack = reflectanceStackOf(await openStack([join(root, 'stacks', 'siteA')]));
    await compositeStack(stack, { output: join(local, 'c.tif'), countPath: join(local, 'n.tif'), method: 'median', masksDir: join(root, 'stacks', 'siteA', 'masks') });
    assert.ok((await readFile(join(dest, 'siteA_composite.tif'))).equals(await readFile(join(local, 'c.tif'))), 'composite identical');
    assert.ok((await readFile(join(dest, 'siteA_count.tif'))).equals(await readFile(join(local, 'n.tif'))), 'count identical');

    const before = (await stat(join(dest, 'siteA_composite.tif'))).mtimeMs;
    const again = submit([join(root, 'stacks', 'siteA'), '--masks', join(root, 'stacks', 'siteA', 'masks'), '-o', dest, '--method', 'median', '--count']);
    assert.deepEqual([again.added, again.alreadyQueued], [0, 1]);
    assert.equal((await waitForRun(again.runId)).exit, 0);
    assert.equal((await stat(join(dest, 'siteA_composite.tif'))).mtimeMs, before);
  });

  test('several stacks take their masks from DIR/<stack name>; a stack without masks fails with the reason, the other finishes', async () => {
    // With several stacks, the masks of each go in --masks DIR/<stack name>: siteA's truth, and an empty folder for siteB.
    const masks = join(root, 'masks');
    await mkdir(join(masks, 'siteB'), { recursive: true });
    await cp(join(root, 'stacks', 'siteA', 'masks'), join(masks, 'siteA'), { recursive: true });
    const dest = join(root, 'several');
    const run = submit([join(root, 'stacks', 'siteA'), join(root, 'stacks', 'siteB'), '--masks', masks, '-o', dest]);
    assert.equal(run.scenes, 2);
    const { exit, status } = await waitForRun(run.runId);
    assert.equal(exit, 3);
    assert.deepEqual([status.done, status.failed], [1, 1]);
    const failed = status.scenes.find((scene) => scene.state === 'failed')!;
    assert.equal(failed.stem, 'siteB');
    assert.match(failed.reason ?? '', /no mask found .*--allow-missing/);
    assert.equal(failed.attempts, 1, 'a missing mask is not retried');
    assert.ok((await readdir(dest)).includes('siteA_composite.tif'));
    assert.deepEqual((await readdir(dest)).filter((name) => name.includes('siteB') || name.endsWith('.tmp')), []);

    const missing = runCli(['submit-composite', join(root, 'stacks', 'siteA'), join(root, 'stacks', 'siteB'), '--masks', join(root, 'local'), '-o', dest, '--redis', redisServer.url]);
    assert.notEqual(missing.status, 0);
    assert.match(missing.stderr, /masks of each go in --masks DIR\/<stack name>: no folder siteA there/);
  });
});
