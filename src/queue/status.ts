import { Queue, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { stripJobId } from './job-ids.js';
import { predictQueueName } from './names.js';
import { loadRunRecord, type RunScene } from './run-record.js';

export type SceneState = 'done' | 'skipped' | 'failed' | 'active' | 'pending' | 'missing';

export interface SceneStatus {
  input: string;
  stem: string;
  jobId: string;
  state: SceneState;
  /** Why it failed (the last attempt's error), for failed scenes. */
  reason?: string;
  /** 0..100 for an active scene (a split scene: its finished share of rows). */
  progress?: number;
  pixels: number | null;
  attempts: number;
}

export interface RunStatus {
  runId: string;
  dest: string;
  total: number;
  done: number;
  failed: number;
  pending: number;
  /** Part of `done`: scenes whose outputs were already complete (nothing recomputed). */
  skipped: number;
  /** Megapixels predicted in this run (skipped scenes excluded) and the rate from first start to last finish. */
  megapixels: number;
  megapixelsPerSecond: number | null;
  finished: boolean;
  scenes: SceneStatus[];
}

interface Timing {
  firstStart: number;
  lastFinish: number;
}

function widen(timing: Timing, job: Job): void {
  if (job.processedOn) timing.firstStart = Math.min(timing.firstStart, job.processedOn);
  if (job.finishedOn) timing.lastFinish = Math.max(timing.lastFinish, job.finishedOn);
}

async function sceneStatus(queue: Queue, scene: RunScene, timing: Timing): Promise<SceneStatus> {
  const base = { input: scene.input, stem: scene.stem, jobId: scene.jobId, pixels: scene.pixels };
  const job = await queue.getJob(scene.jobId);
  if (!job) return { ...base, state: 'missing', attempts: 0, reason: 'the job is no longer in Redis' };
  const state = await job.getState();
  const attempts = job.attemptsMade;
  if (state === 'completed') {
    const skipped = (job.returnvalue as { skipped?: boolean } | null)?.skipped === true;
    if (!skipped) widen(timing, job);
    // A split scene's strips did the predicting: their times count too.
    for (const band of scene.bands ?? []) {
      const strip = await queue.getJob(stripJobId(scene.sceneKey, band));
      if (strip && (strip.returnvalue as { skipped?: boolean } | null)?.skipped !== true) widen(timing, strip);
    }
    return { ...base, state: skipped ? 'skipped' : 'done', attempts };
  }
  if (state === 'failed') return { ...base, state: 'failed', attempts, reason: await failureReason(queue, scene, job) };
  if (state === 'active') return { ...base, state: 'active', attempts, progress: typeof job.progress === 'number' ? job.progress : 0 };
  if (state === 'waiting-children' && scene.bands) {
    let rowsDone = 0;
    for (const band of scene.bands) {
      const strip = await queue.getJob(stripJobId(scene.sceneKey, band));
      if (strip?.finishedOn && !strip.failedReason) rowsDone += band.end - band.start;
    }
    const height = scene.bands[scene.bands.length - 1]!.end;
    return { ...base, state: rowsDone > 0 ? 'active' : 'pending', attempts, progress: Math.round((100 * rowsDone) / height) };
  }
  return { ...base, state: 'pending', attempts };
}

/** A split scene fails through one of its strips: that strip's own reason says why. */
async function failureReason(queue: Queue, scene: RunScene, job: Job): Promise<string> {
  for (const band of scene.bands ?? []) {
    const strip = await queue.getJob(stripJobId(scene.sceneKey, band));
    if (strip && (await strip.getState()) === 'failed') return `rows ${band.start}-${band.end}: ${strip.failedReason}`;
  }
  return job.failedReason;
}

/** Where a run stands: a few Redis look-ups per scene (and per strip of split scenes), 64 scenes at a time. */
export async function runStatus(redis: Redis, runId: string): Promise<RunStatus> {
  const record = await loadRunRecord(redis, runId);
  const queue = new Queue(predictQueueName, { connection: redis });
  try {
    const timing: Timing = { firstStart: Infinity, lastFinish: -Infinity };
    const scenes: SceneStatus[] = [];
    for (let i = 0; i < record.scenes.length; i += 64) {
      scenes.push(...(await Promise.all(record.scenes.slice(i, i + 64).map((scene) => sceneStatus(queue, scene, timing)))));
    }
    const count = (...states: SceneState[]): number => scenes.filter((scene) => states.includes(scene.state)).length;
    const predicted = scenes.filter((scene) => scene.state === 'done').reduce((sum, scene) => sum + (scene.pixels ?? 0), 0);
    const seconds = (timing.lastFinish - timing.firstStart) / 1000;
    const megapixels = predicted / 1e6;
    const done = count('done', 'skipped');
    const failed = count('failed', 'missing');
    return {
      runId,
      dest: record.dest,
      total: scenes.length,
      done,
      failed,
      pending: scenes.length - done - failed,
      skipped: count('skipped'),
      megapixels,
      megapixelsPerSecond: seconds > 0 && Number.isFinite(seconds) ? megapixels / seconds : null,
      finished: done + failed === scenes.length,
      scenes,
    };
  } finally {
    await queue.close();
  }
}
