import { encodeModel, type ModelFile } from '../model/weights.js';
import { AutocmError } from '../util/errors.js';
import { createWorkerPool, ownBuffer } from '../util/worker-pool.js';

export interface MaskWorkerPoolOptions {
  /** One worker thread per entry, each with its own session of that many intra-op threads. */
  workerThreads: number[];
  provider?: string;
}

/**
 * Scenes wider than this keep one inference worker: a second session's activations (300-400 MiB)
 * take the peak RSS of a 20000^2 scene from 1.6 to 2.0 GiB (docs/performance.md).
 */
export const TWO_WORKERS_MAX_WIDTH = 12288;

/**
 * How `predict` splits its CPU threads between inference workers: two workers while there are
 * two threads (two single-thread sessions side by side beat one two-thread session on 2 cores,
 * docs/performance.md), the threads shared between them beyond that (each worker holds a
 * session's activation memory, so not one worker per core); one worker with every thread for
 * scenes wider than TWO_WORKERS_MAX_WIDTH.
 */
export function workerThreadsFor(threads: number, sceneWidth = 0): number[] {
  if (!Number.isInteger(threads) || threads < 1) throw new AutocmError(`threads must be a positive integer, got ${threads}`);
  if (threads === 1 || sceneWidth > TWO_WORKERS_MAX_WIDTH) return [threads];
  return [Math.ceil(threads / 2), Math.floor(threads / 2)];
}

/** Mask sessions whose runs may be started `concurrency` at a time (and then run in parallel). */
export interface ConcurrentMaskSession {
  readonly bands: number;
  readonly concurrency: number;
  /** Cloud probability, n x h x w, of NCHW normalised input; takes ownership of `input`. */
  run(input: Float32Array, n: number, height: number, width: number): Promise<{ mask: Float32Array }>;
  release(): Promise<void>;
}

export interface MaskRequest {
  input: Float32Array;
  n: number;
  height: number;
  width: number;
}

/**
 * Mask sessions in worker threads (mask-worker.ts), one run per worker at a time, queued in
 * call order. `run` takes ownership of `input`: its buffer is transferred to the worker (copied
 * first when `input` is a view into a larger buffer).
 */
export async function createMaskWorkerPool(model: ModelFile, options: MaskWorkerPoolOptions): Promise<ConcurrentMaskSession> {
  const bytes = encodeModel(model);
  const pool = await createWorkerPool<MaskRequest, { mask: Float32Array }>(
    new URL('./mask-worker.js', import.meta.url),
    options.workerThreads.map((threads) => ({ model: bytes, threads, provider: options.provider })),
  );
  return {
    bands: model.metadata.inputBands,
    concurrency: pool.size,
    async run(input, n, height, width) {
      const owned = ownBuffer(input);
      const { mask } = await pool.run({ input: owned, n, height, width }, [owned.buffer as ArrayBuffer]);
      return { mask };
    },
    release: () => pool.release(),
  };
}
