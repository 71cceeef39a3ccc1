import { availableParallelism, hostname } from 'node:os';
import { rm } from 'node:fs/promises';
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { PermanentTaskError, runTaskInChild } from './child-runner.js';
import { markComplete, outputsComplete, pathExists, removeStaleTemporaries } from './completion.js';
import { PathEscapeError } from './confine.js';
import { jobOutputs, partsPath, stripPath } from './layout.js';
import { predictQueueName } from './names.js';
import { InvalidPayloadError, validateJobData, type JobData } from './payload.js';
import { resolveJobPaths, type WorkerRoots } from './resolve-job.js';

export interface WorkerSettings extends WorkerRoots {
  concurrency: number;
  /** ONNX Runtime threads per job; default: the machine's cores divided among the concurrent jobs. */
  threadsPerJob?: number;
  /** ONNX Runtime execution provider of every job on this worker (cpu, cuda, ...). */
  provider?: string;
  /** Lock of an active job; a worker that dies loses it after this long and the job is taken over. */
  lockDurationMs: number;
  /** How often each worker looks for jobs whose lock expired. */
  stalledIntervalMs: number;
  /** Lines of JSON about each job (active, completed, failed) go here; tests and operators read them. */
  log?: (event: Record<string, unknown>) => void;
}

/** What a finished job returns (stored by BullMQ as the job's return value). */
export interface JobResult {
  skipped: boolean;
  pixels: number;
  seconds: number;
  worker: string;
}

export const defaultWorkerTiming = { lockDurationMs: 30_000, stalledIntervalMs: 15_000 };

function permanent(error: unknown): boolean {
  return error instanceof InvalidPayloadError || error instanceof PathEscapeError || error instanceof PermanentTaskError;
}

/** Completed already? A scene, assembly or composite by its done marker, a strip by its (atomically written) strip file. */
async function alreadyDone(task: JobData): Promise<boolean> {
  if (task.kind === 'strip') return pathExists(stripPath(task.outputDir, task.sceneKey, task.band));
  const { markerStem, files } = jobOutputs(task);
  return outputsComplete(task.outputDir, markerStem, task.sceneKey, files);
}

export function createJobProcessor(settings: WorkerSettings, workerName: string) {
  return async (job: Job): Promise<JobResult> => {
    const started = performance.now();
    let task: JobData;
    try {
      task = await resolveJobPaths(validateJobData(job.data), settings);
    } catch (error) {
      // A payload that fails validation never becomes valid: no retry.
      if (permanent(error)) throw new UnrecoverableError((error as Error).message);
      throw error;
    }
    settings.log?.({ event: 'active', jobId: job.id, kind: task.kind, attempt: job.attemptsMade + 1, worker: workerName, pid: process.pid });
    if (await alreadyDone(task)) {
      return { skipped: true, pixels: 0, seconds: (performance.now() - started) / 1000, worker: workerName };
    }
    if (task.kind !== 'strip') {
      const removed = await removeStaleTemporaries(task.outputDir, jobOutputs(task).files);
      if (removed > 0) settings.log?.({ event: 'cleaned', jobId: job.id, staleTemporaryFiles: removed });
    }
    let pixels: number;
    try {
      ({ pixels } = await runTaskInChild(task, {
        threads: settings.threadsPerJob ?? Math.max(1, Math.floor(availableParallelism() / settings.concurrency)),
        ...(settings.provider !== undefined ? { provider: settings.provider } : {}),
        onProgress: (fraction) => {
          job.updateProgress(Math.round(fraction * 100)).catch(() => {
            // Progress is advisory; a Redis hiccup must not fail the job.
          });
        },
      }));
    } catch (error) {
      if (permanent(error)) throw new UnrecoverableError((error as Error).message);
      throw error;
    }
    if (task.kind !== 'strip') {
      await markComplete(task.outputDir, jobOutputs(task).markerStem, task.sceneKey, { jobId: job.id, input: task.kind === 'composite' ? task.images : task.input });
    }
    if (task.kind === 'assemble') await rm(partsPath(task.outputDir, task.sceneKey), { recursive: true, force: true });
    return { skipped: false, pixels, seconds: (performance.now() - started) / 1000, worker: workerName };
  };
}

export interface RunningWorker {
  readonly name: string;
  readonly worker: Worker;
  /** Waits for active jobs to finish, then disconnects. */
  close(): Promise<void>;
}

/** Starts consuming autocm jobs from Redis until `close()`. */
export async function startWorker(connection: Redis, settings: WorkerSettings): Promise<RunningWorker> {
  // The roots must exist; a worker with a missing mount would fail every job.
  for (const root of [settings.inputRoot, settings.outputRoot]) {
    if (!(await pathExists(root))) throw new Error(`${root}: root folder does not exist`);
  }
  const name = `${hostname()}:${process.pid}`;
  const log = settings.log;
  const worker = new Worker(predictQueueName, createJobProcessor(settings, name), {
    connection,
    name,
    concurrency: settings.concurrency,
    lockDuration: settings.lockDurationMs,
    stalledInterval: settings.stalledIntervalMs,
    // A job may be orphaned by dead workers twice before it is failed as stalled.
    maxStalledCount: 2,
  });
  worker.on('completed', (job, result: JobResult) => log?.({ event: 'completed', jobId: job.id, skipped: result.skipped, pixels: result.pixels, seconds: result.seconds }));
  worker.on('failed', (job, error) => log?.({ event: 'failed', jobId: job?.id, reason: error.message, attemptsMade: job?.attemptsMade }));
  worker.on('stalled', (jobId) => log?.({ event: 'stalled', jobId }));
  let lastErrorLog = 0;
  worker.on('error', (error) => {
    // Connection errors repeat while Redis is down; one line every 5 s is enough.
    const now = Date.now();
    if (now - lastErrorLog > 5000) {
      lastErrorLog = now;
      log?.({ event: 'error', message: error.message });
    }
  });
  await worker.waitUntilReady();
  log?.({ event: 'ready', worker: name, pid: process.pid, concurrency: settings.concurrency });
  return {
    name,
    worker,
    async close() {
      await worker.close();
    },
  };
}
