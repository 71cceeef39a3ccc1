/**
 * Worker thread holding one mask session (mask-worker-pool.ts). onnxruntime-node's run blocks
 * the thread that calls it, so sessions in workers let the main thread blend and write while
 * the network runs, and several single-thread sessions run side by side. Messages in:
 * {id, input, n, height, width}; out: {id, mask} (buffers transferred) or {id, error, autocm}.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { decodeModel } from '../model/weights.js';
import { isAutocmError } from '../util/errors.js';
import { createMaskSession } from './mask-session.js';

interface Request {
  id: number;
  input: Float32Array;
  n: number;
  height: number;
  width: number;
}

const { model, threads, provider } = workerData as { model: Uint8Array; threads: number; provider?: string };
const port = parentPort!;
try {
  const session = await createMaskSession(decodeModel(model, 'model'), { threads, provider });
  port.on('message', (request: Request | 'close') => {
    if (request === 'close') {
      void session.release().then(() => port.close());
      return;
    }
    session.run(request.input, request.n, request.height, request.width).then(
      ({ mask }) => {
        // Transfer the mask when it owns its buffer; a view into a larger one is copied. The input
        // goes back too: this thread allocates little, so its garbage collector would keep the
        // transferred inputs for a long time.
        const owned = mask.byteOffset === 0 && mask.byteLength === mask.buffer.byteLength ? mask : mask.slice();
        port.postMessage({ id: request.id, mask: owned, input: request.input }, [owned.buffer as ArrayBuffer, request.input.buffer as ArrayBuffer]);
      },
      (error: unknown) => port.postMessage({ id: request.id, error: error instanceof Error ? error.message : String(error), autocm: isAutocmError(error) }),
    );
  });
  port.postMessage('ready');
} catch (error) {
  port.postMessage({ startError: error instanceof Error ? error.message : String(error), autocm: isAutocmError(error) });
}
