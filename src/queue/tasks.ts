/**
 * What a worker's child process does for each job kind. Runs only with a validated task whose
 * paths were confined by the worker (see worker.ts); every computation is autocm's own predict
 * or composite.
 */
import { predictImages } from '../predict/predict-images.js';
import { compositeJob } from './composite-task.js';
import type { JobData } from './payload.js';
import { assembleScene } from './split-assemble.js';
import { predictStrip } from './split-strip.js';

/** Intra-op threads of each job's ONNX Runtime session (the worker divides the cores among its jobs). */
export function taskThreads(): number | undefined {
  const value = Number(process.env.AUTOCM_JOB_THREADS);
  return Number.isInteger(value) && value > 0 ? value : undefined;
}

/** ONNX Runtime execution provider chosen by the worker's operator (--provider), never by a job. */
export function taskProvider(): string | undefined {
  return process.env.AUTOCM_JOB_PROVIDER || undefined;
}

export async function runTask(task: JobData, onProgress: (fraction: number) => void): Promise<{ pixels: number }> {
  switch (task.kind) {
    case 'scene':
      return predictWholeScene(task, onProgress);
    case 'strip':
      return predictStrip(task, onProgress, { threads: taskThreads(), provider: taskProvider() });
    case 'assemble':
      return assembleScene(task, onProgress);
    case 'composite':
      return compositeJob(task, onProgress);
  }
}

async function predictWholeScene(task: JobData & { kind: 'scene' }, onProgress: (fraction: number) => void): Promise<{ pixels: number }> {
  onProgress(0);
  const summary = await predictImages([task.input], {
    model: task.model,
    outputDirectory: task.outputDir,
    ...(task.options.sensor !== null ? { sensor: task.options.sensor } : {}),
    threshold: task.options.threshold,
    buffer: task.options.buffer,
    format: task.options.format,
    tile: task.options.tile,
    overlap: task.options.overlap,
    threads: taskThreads(),
    provider: taskProvider(),
    // The worker decided that this work is not done (its done marker); outputs of other work are replaced.
    overwrite: true,
    quiet: true,
    warn: (message) => process.stderr.write(`autocm: warning: ${message}\n`),
  });
  const image = summary.images[0];
  if (!image || summary.images.length !== 1) throw new Error(`${task.input}: expected one image, predict found ${summary.images.length}`);
  onProgress(1);
  return { pixels: (image.width ?? 0) * (image.height ?? 0) };
}
