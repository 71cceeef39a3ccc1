/**
 * Worker thread holding one mask session (mask-worker-pool.ts). onnxruntime-node's run blocks
 * the thread that calls it, so sessions in workers let the main thread blend and write while
 * the network runs, and several single-thread sessions run side by side.
 */
import { workerData } from 'node:worker_threads';
import { decodeModel } from '../model/weights.js';
import { ownBuffer, serveRequests } from '../util/worker-pool.js';
import { createMaskSession } from './mask-session.js';
import type { MaskRequest } from './mask-worker-pool.js';

const { model, threads, provider } = workerData as { model: Uint8Array; threads: number; provider?: string };
await serveRequests<MaskRequest, { mask: Float32Array }>(async () => {
  const session = await createMaskSession(decodeModel(model, 'model'), { threads, provider });
  return async ({ input, n, height, width }) => {
    const { mask } = await session.run(input, n, height, width);
    // Transferred when it owns its buffer (a view into a larger one is copied).
    const owned = ownBuffer(mask);
    return { reply: { mask: owned }, transfer: [owned.buffer as ArrayBuffer] };
  };
});
