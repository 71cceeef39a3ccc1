import { Worker } from 'node:worker_threads';
import { encodeModel, type ModelFile } from '../model/weights.js';
import { AutocmError } from '../util/errors.js';

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

type Reply = { id: number; mask: Float32Array } | { id: number; error: string; autocm: boolean };

interface Pending {
  id: number;
  input: Float32Array;
  n: number;
  height: number;
  width: number;
  resolve: (mask: Float32Array) => void;
  reject: (error: Error) => void;
}

/**
 * Mask sessions in worker threads (mask-worker.ts), one run per worker at a time, queued in
 * call order. `run` takes ownership of `input`: its buffer is transferred to the worker (copied
 * first when `input` is a view into a larger buffer).
 */
export async function createMaskWorkerPool(model: ModelFile, options: MaskWorkerPoolOptions): Promise<ConcurrentMaskSession> {
  if (options.workerThreads.length === 0) throw new AutocmError('an inference worker pool needs at least one worker');
  const bytes = encodeModel(model);
  const workers = options.workerThreads.map(
    (threads) => new Worker(new URL('./mask-worker.js', import.meta.url), { workerData: { model: bytes, threads, provider: options.provider } }),
  );
  const busy = new Map<Worker, Pending>();
  const queue: Pending[] = [];
  let failure: Error | undefined;
  let nextId = 0;

  const fail = (error: Error) => {
    failure ??= error;
    for (const pending of [...busy.values(), ...queue]) pending.reject(failure);
    busy.clear();
    queue.length = 0;
  };
  const dispatch = () => {
    for (const worker of workers) {
      if (queue.length === 0) return;
      if (busy.has(worker)) continue;
      const pending = queue.shift()!;
      busy.set(worker, pending);
      const { id, input, n, height, width } = pending;
      worker.postMessage({ id, input, n, height, width }, [input.buffer as ArrayBuffer]);
    }
  };

  try {
    await Promise.all(
      workers.map(
        (worker) =>
          new Promise<void>((resolve, reject) => {
            worker.once('error', reject);
            worker.once('message', (message: 'ready' | { startError: string; autocm: boolean }) => {
              if (message === 'ready') resolve();
              else reject(message.autocm ? new AutocmError(message.startError) : new Error(message.startError));
            });
          }),
      ),
    );
  } catch (error) {
    await Promise.all(workers.map((worker) => worker.terminate()));
    throw error;
  }
  for (const worker of workers) {
    worker.on('error', (error) => fail(error instanceof Error ? error : new Error(String(error))));
    worker.on('exit', (code) => {
      if (busy.has(worker) || queue.length > 0) fail(new Error(`inference worker exited with code ${code}`));
    });
    worker.on('message', (reply: Reply) => {
      const pending = busy.get(worker);
      if (!pending || pending.id !== reply.id) return;
      busy.delete(worker);
      if ('error' in reply) pending.reject(reply.autocm ? new AutocmError(reply.error) : new Error(reply.error));
      else pending.resolve(reply.mask);
      dispatch();
    });
  }

  return {
    bands: model.metadata.inputBands,
    concurrency: workers.length,
    run(input, n, height, width) {
      if (failure) return Promise.reject(failure);
      const owned = input.byteOffset === 0 && input.byteLength === input.buffer.byteLength ? input : input.slice();
      return new Promise((resolve, reject) => {
        queue.push({ id: nextId++, input: owned, n, height, width, resolve: (mask) => resolve({ mask }), reject });
        dispatch();
      });
    },
    async release() {
      fail(new Error('inference workers released'));
      await Promise.all(workers.map((worker) => worker.terminate()));
    },
  };
}
