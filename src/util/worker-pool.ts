import { parentPort, Worker } from 'node:worker_threads';
import { AutocmError, isAutocmError } from './errors.js';

/**
 * Worker threads that answer requests one at a time each, in call order across the pool. The
 * worker script calls `serveRequests`; a request's and a reply's `transfer` buffers move between
 * threads without a copy (the sender loses them).
 */
export interface WorkerPool<Request, Reply> {
  readonly size: number;
  run(request: Request, transfer: ArrayBuffer[]): Promise<Reply>;
  /** Terminates the workers; runs not answered yet fail. */
  release(): Promise<void>;
}

type Message<Reply> = { id: number; reply: Reply } | { id: number; error: string; autocm: boolean };
type Started = 'ready' | { startError: string; autocm: boolean };

interface Pending<Request, Reply> {
  id: number;
  request: Request;
  transfer: ArrayBuffer[];
  resolve: (reply: Reply) => void;
  reject: (error: Error) => void;
}

/** `view` when it spans its whole buffer (which can then be transferred), else a copy that does. */
export function ownBuffer<T extends Float32Array | Uint8Array>(view: T): T {
  return view.byteOffset === 0 && view.byteLength === view.buffer.byteLength ? view : (view.slice() as T);
}

const asError = (text: string, autocm: boolean) => (autocm ? new AutocmError(text) : new Error(text));

/** Starts one worker of `script` per entry of `workerData` and waits until each is ready. */
export async function createWorkerPool<Request, Reply>(script: URL, workerData: unknown[]): Promise<WorkerPool<Request, Reply>> {
  if (workerData.length === 0) throw new AutocmError('a worker pool needs at least one worker');
  const workers = workerData.map((data) => new Worker(script, { workerData: data }));
  const busy = new Map<Worker, Pending<Request, Reply>>();
  const queue: Pending<Request, Reply>[] = [];
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
      worker.postMessage({ id: pending.id, request: pending.request }, pending.transfer);
    }
  };

  try {
    await Promise.all(
      workers.map(
        (worker) =>
          new Promise<void>((resolve, reject) => {
            worker.once('error', reject);
            worker.once('message', (message: Started) => (message === 'ready' ? resolve() : reject(asError(message.startError, message.autocm))));
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
      if (busy.has(worker) || queue.length > 0) fail(new Error(`worker thread exited with code ${code}`));
    });
    worker.on('message', (message: Message<Reply>) => {
      const pending = busy.get(worker);
      if (!pending || pending.id !== message.id) return;
      busy.delete(worker);
      if ('error' in message) pending.reject(asError(message.error, message.autocm));
      else pending.resolve(message.reply);
      dispatch();
    });
  }

  return {
    size: workers.length,
    run(request, transfer) {
      if (failure) return Promise.reject(failure);
      return new Promise<Reply>((resolve, reject) => {
        queue.push({ id: nextId++, request, transfer, resolve, reject });
        dispatch();
      });
    },
    async release() {
      fail(new Error('worker threads released'));
      await Promise.all(workers.map((worker) => worker.terminate()));
    },
  };
}

/**
 * The worker's side: `start` runs once (its failure is the pool's start error), then every request
 * goes to the handler it returns, which answers with the reply and the buffers to transfer.
 */
export async function serveRequests<Request, Reply>(start: () => Promise<(request: Request) => Promise<{ reply: Reply; transfer: ArrayBuffer[] }>>): Promise<void> {
  const port = parentPort!;
  let handle: (request: Request) => Promise<{ reply: Reply; transfer: ArrayBuffer[] }>;
  try {
    handle = await start();
  } catch (error) {
    port.postMessage({ startError: error instanceof Error ? error.message : String(error), autocm: isAutocmError(error) });
    return;
  }
  port.on('message', ({ id, request }: { id: number; request: Request }) => {
    handle(request).then(
      ({ reply, transfer }) => port.postMessage({ id, reply }, transfer),
      (error: unknown) => port.postMessage({ id, error: error instanceof Error ? error.message : String(error), autocm: isAutocmError(error) }),
    );
  });
  port.postMessage('ready');
}
