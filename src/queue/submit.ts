import { realpath, stat } from 'node:fs/promises';
import { isAbsolute, relative, resolve } from 'node:path';
import { FlowProducer, Queue, type FlowJob, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { openRaster } from '../raster/open.js';
import { AutocmError } from '../util/errors.js';
import { assembleJobId, fileSha256, newRunId, sceneJobId, sceneKey, stripJobId } from './job-ids.js';
import { jobAttempts, jobBackoff, predictQueueName } from './names.js';
import { isValidStem, type AssembleJobData, type JobData, type PredictJobOptions, type SceneJobData, type StripJobData } from './payload.js';
import { planRowBands } from './row-bands.js';
import { saveRunRecord, type RunRecord, type RunScene } from './run-record.js';
import type { SubmitScene } from './submit-inputs.js';

export interface SubmitRequest {
  /** Scene files (already expanded from folders, globs or STAC) with their output stems. */
  inputs: SubmitScene[];
  model: string;
  dest: string;
  options: PredictJobOptions;
  /** Scenes with more than this many megapixels become a flow of strip jobs and an assemble job. */
  splitAboveMpx: number;
  /** Rows of prediction tiles per strip job. */
  tilesPerBand: number;
  /**
   * When set, paths in jobs are written relative to these roots, so workers that mount the
   * shared folders elsewhere (their own --input-root / --output-root) find them.
   */
  inputRoot?: string;
  outputRoot?: string;
}

export interface SubmitResult {
  runId: string;
  scenes: number;
  splitScenes: number;
  /** Jobs put on the queue now. */
  added: number;
  /** Jobs that were already in Redis with the same id (same input, model, options, destination). */
  alreadyQueued: number;
  /** Failed jobs of earlier submissions that were sent back to the queue. */
  retried: number;
}

export const jobOptions: JobsOptions = { attempts: jobAttempts, backoff: jobBackoff, removeOnComplete: false, removeOnFail: false };

export function relativeTo(root: string | undefined, path: string, what: string): string {
  if (root === undefined) return path;
  const rel = relative(resolve(root), path);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) throw new AutocmError(`${what} is not inside ${root}`, path);
  return rel;
}

/** Width x height from the header, or null when it cannot be read: the job then fails on a worker, with the reason. */
export async function scenePixels(path: string): Promise<{ width: number; height: number } | null> {
  try {
    const source = await openRaster(path);
    try {
      return { width: source.info.width, height: source.info.height };
    } finally {
      await source.close();
    }
  } catch {
    return null;
  }
}

/** Queues one run: a job per scene, a flow (strips + assemble) per large scene. Returns without waiting. */
export async function submitRun(redis: Redis, request: SubmitRequest): Promise<SubmitResult> {
  if (request.inputs.length === 0) throw new AutocmError('no input scenes to submit');
  let model: string;
  try {
    model = await realpath(request.model);
  } catch {
    throw new AutocmError('model file not found', request.model);
  }
  const modelSha256 = await fileSha256(model);
  const dest = resolve(request.dest);
  const runId = newRunId();
  const stems = new Map<string, string>();
  const scenes: RunScene[] = [];
  const singles: { name: string; data: SceneJobData; opts: JobsOptions }[] = [];
  const flows: FlowJob[] = [];
  const modelField = relativeTo(request.inputRoot, model, 'model');
  const destField = relativeTo(request.outputRoot, dest, 'destination');

  for (const given of request.inputs) {
    let input: string;
    try {
      input = await realpath(given.path);
    } catch {
      throw new AutocmError('input scene not found', given.path);
    }
    const stem = given.id;
    if (!isValidStem(stem)) throw new AutocmError(`the output name stem "${stem}" may only use letters, digits and _ . + - (rename the file)`, input);
    const clash = stems.get(stem);
    if (clash !== undefined) throw new AutocmError(`two inputs would write the same outputs ${stem}_cloudprob.tif (also ${clash})`, input);
    stems.set(stem, input);
    const stats = await stat(input);
    const key = sceneKey({ input, size: stats.size, mtimeMs: stats.mtimeMs, modelSha256, options: request.options, outputDir: dest });
    const size = await scenePixels(input);
    const common = {
      v: 1 as const,
      runId,
      input: relativeTo(request.inputRoot, input, 'input'),
      model: modelField,
      outputDir: destField,
      stem,
      sceneKey: key,
      options: request.options,
    };
    const pixels = size ? size.width * size.height : null;
    if (size && pixels! > request.splitAboveMpx * 1e6) {
      const bands = planRowBands(size.height, request.options.tile, request.options.overlap, request.tilesPerBand);
      const parent: AssembleJobData = { ...common, kind: 'assemble', bands, width: size.width, height: size.height };
      flows.push({
        name: 'assemble',
        queueName: predictQueueName,
        data: parent,
        opts: { ...jobOptions, jobId: assembleJobId(key) },
        children: bands.map((band) => {
          const data: StripJobData = { ...common, kind: 'strip', band, width: size.width, height: size.height };
          // A strip that fails for good fails its scene, with the strip's reason.
          return { name: 'strip', queueName: predictQueueName, data, opts: { ...jobOptions, jobId: stripJobId(key, band), failParentOnFailure: true } };
        }),
      });
      scenes.push({ input, stem, jobId: assembleJobId(key), pixels, bands, sceneKey: key });
    } else {
      singles.push({ name: 'scene', data: { ...common, kind: 'scene' }, opts: { ...jobOptions, jobId: sceneJobId(key) } });
      scenes.push({ input, stem, jobId: sceneJobId(key), pixels, sceneKey: key });
    }
  }

  const record: RunRecord = { runId, submittedAt: Date.now(), dest, model, scenes };
  const queued = await enqueueRun(redis, record, singles, flows);
  return { runId, scenes: scenes.length, splitScenes: flows.length, ...queued };
}

/**
 * Saves the run record and puts its jobs on the queue. Known ids are not added again (BullMQ
 * would ignore them anyway); a failed job is removed with its children and queued afresh:
 * finished parts and outputs are then skipped by workers.
 */
export async function enqueueRun(
  redis: Redis,
  record: RunRecord,
  singles: { name: string; data: JobData; opts: JobsOptions }[],
  flows: FlowJob[],
): Promise<Pick<SubmitResult, 'added' | 'alreadyQueued' | 'retried'>> {
  const queue = new Queue(predictQueueName, { connection: redis });
  const flowProducer = new FlowProducer({ connection: redis });
  try {
    let alreadyQueued = 0;
    let retried = 0;
    const known = new Set<string>();
    for (const scene of record.scenes) {
      const state = await queue.getJobState(scene.jobId);
      if (state === 'unknown') continue;
      if (state === 'failed') {
        // A split scene whose other strips are still running cannot be removed yet (they hold locks).
        const removed = await queue.remove(scene.jobId, { removeChildren: true }).catch(() => 0);
        if (removed) {
          retried++;
          continue;
        }
      }
      known.add(scene.jobId);
      alreadyQueued++;
    }
    const newSingles = singles.filter((job) => !known.has(job.opts.jobId!));
    const newFlows = flows.filter((flow) => !known.has(flow.opts!.jobId!));
    // The run record goes first so that `status` can follow jobs from their first second.
    await saveRunRecord(redis, record);
    if (newSingles.length > 0) await queue.addBulk(newSingles);
    if (newFlows.length > 0) await flowProducer.addBulk(newFlows);
    return { added: newSingles.length + newFlows.length, alreadyQueued, retried };
  } finally {
    await flowProducer.close();
    await queue.close();
  }
}
