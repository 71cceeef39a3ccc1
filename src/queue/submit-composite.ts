import { createHash } from 'node:crypto';
import { readdir, realpath, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Redis } from 'ioredis';
import { AutocmError } from '../util/errors.js';
import { newRunId } from './job-ids.js';
import { isValidStem, maxCompositeImages, payloadVersion, type CompositeJobData, type CompositeJobOptions } from './payload.js';
import type { RunRecord, RunScene } from './run-record.js';
import { enqueueRun, jobOptions, relativeTo, scenePixels, type SubmitResult } from './submit.js';

/** One stack to composite: its images, where their masks are, and the output name stem. */
export interface CompositeStackRequest {
  name: string;
  images: string[];
  masksDir: string;
}

export interface CompositeSubmitRequest {
  stacks: CompositeStackRequest[];
  dest: string;
  options: CompositeJobOptions;
  inputRoot?: string;
  outputRoot?: string;
}

export const compositeJobId = (key: string): string => `composite-${key}`;

async function realFile(path: string, what: string): Promise<{ path: string; size: number; mtimeMs: number }> {
  try {
    const real = await realpath(path);
    const stats = await stat(real);
    return { path: real, size: stats.size, mtimeMs: Math.round(stats.mtimeMs) };
  } catch {
    throw new AutocmError(`${what} not found`, path);
  }
}

/** The masks folder's files with sizes and times: masks predicted anew make the composite other work. */
async function maskListing(dir: string): Promise<[string, number, number][]> {
  const names = (await readdir(dir)).filter((name) => /\.tiff?$/i.test(name)).sort();
  return Promise.all(
    names.map(async (name) => {
      const stats = await stat(join(dir, name));
      return [name, stats.size, Math.round(stats.mtimeMs)] as [string, number, number];
    }),
  );
}

/** Queues one composite job per stack (`<dest>/<name>_composite.tif`). Returns without waiting. */
export async function submitCompositeRun(redis: Redis, request: CompositeSubmitRequest): Promise<SubmitResult> {
  if (request.stacks.length === 0) throw new AutocmError('no stack to composite');
  const dest = resolve(request.dest);
  const destField = relativeTo(request.outputRoot, dest, 'destination');
  const runId = newRunId();
  const scenes: RunScene[] = [];
  const singles: { name: string; data: CompositeJobData; opts: typeof jobOptions }[] = [];
  const names = new Set<string>();
  for (const stack of request.stacks) {
    if (!isValidStem(stack.name)) throw new AutocmError(`the stack name "${stack.name}" may only use letters, digits and _ . + - (it names the output)`, stack.images[0]);
    if (names.has(stack.name)) throw new AutocmError(`two stacks would write the same output ${stack.name}_composite.tif`, stack.images[0]);
    names.add(stack.name);
    if (stack.images.length === 0) throw new AutocmError('the stack holds no image', stack.name);
    if (stack.images.length > maxCompositeImages) throw new AutocmError(`the stack holds ${stack.images.length} images; a job takes at most ${maxCompositeImages}`, stack.name);
    const images = await Promise.all(stack.images.map((image) => realFile(image, 'image')));
    let masksDir: string;
    try {
      masksDir = await realpath(stack.masksDir);
      if (!(await stat(masksDir)).isDirectory()) throw new Error();
    } catch {
      throw new AutocmError('masks folder not found', stack.masksDir);
    }
    // Masks predicted by the queue lie under the output root; reference masks may lie beside the images.
    const masksRoot = request.outputRoot !== undefined && relativeInside(request.outputRoot, masksDir) ? 'output' : 'input';
    const key = createHash('sha256')
      .update(JSON.stringify([payloadVersion, 'composite', images, masksDir, await maskListing(masksDir), request.options, dest, stack.name]))
      .digest('hex')
      .slice(0, 32);
    const data: CompositeJobData = {
      v: payloadVersion,
      kind: 'composite',
      runId,
      images: images.map((image) => relativeTo(request.inputRoot, image.path, 'image')),
      masksDir: relativeTo(masksRoot === 'output' ? request.outputRoot : request.inputRoot, masksDir, 'masks folder'),
      masksRoot,
      outputDir: destField,
      stem: stack.name,
      sceneKey: key,
      options: request.options,
    };
    singles.push({ name: 'composite', data, opts: { ...jobOptions, jobId: compositeJobId(key) } });
    scenes.push({ input: stack.name, stem: stack.name, jobId: compositeJobId(key), pixels: await scenePixels(images[0]!.path).then((size) => (size ? size.width * size.height : null)), sceneKey: key });
  }
  const record: RunRecord = { runId, submittedAt: Date.now(), dest, scenes };
  const queued = await enqueueRun(redis, record, singles, []);
  return { runId, scenes: scenes.length, splitScenes: 0, ...queued };
}

function relativeInside(root: string, path: string): boolean {
  try {
    relativeTo(root, path, 'path');
    return true;
  } catch {
    return false;
  }
}
