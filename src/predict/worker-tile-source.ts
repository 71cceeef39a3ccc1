import { Worker } from 'node:worker_threads';
import { AutocmError } from '../util/errors.js';
import type { NormalisedTile } from './normalisation.js';
import type { TilePlan } from './tile-plan.js';
import type { TileSource, TileSourceOptions } from './tile-source.js';

type Reply = ({ index: number } & NormalisedTile) | { index: number; error: string; autocm: boolean };

/**
 * Tiles read and normalised in a worker thread (tile-worker.ts) that opens `path` itself, so
 * decoding and normalising overlap with inference on the main thread. Each requested tile is
 * prepared once, in order; at most the requested ones are held.
 */
export async function workerTileSource(path: string, plan: TilePlan, options: TileSourceOptions): Promise<TileSource> {
  const worker = new Worker(new URL('./tile-worker.js', import.meta.url), { workerData: { source: path, plan, options } });
  const waiting = new Map<number, { resolve: (tile: NormalisedTile) => void; reject: (error: Error) => void }>();
  const fail = (error: Error) => {
    for (const entry of waiting.values()) entry.reject(error);
    waiting.clear();
  };
  await new Promise<void>((resolve, reject) => {
    worker.once('message', () => resolve());
    worker.once('error', reject);
  });
  worker.on('error', (error) => fail(error instanceof Error ? error : new Error(String(error))));
  worker.on('message', (reply: Reply) => {
    const entry = waiting.get(reply.index);
    if (!entry) return;
    waiting.delete(reply.index);
    if ('error' in reply) entry.reject(reply.autocm ? new AutocmError(reply.error) : new Error(reply.error));
    else entry.resolve({ input: reply.input, nodata: reply.nodata, nonFinite: reply.nonFinite, seconds: reply.seconds });
  });
  return {
    tile(index) {
      return new Promise<NormalisedTile>((resolve, reject) => {
        waiting.set(index, { resolve, reject });
        worker.postMessage({ index });
      });
    },
    async close() {
      fail(new Error('tile source closed'));
      await worker.terminate();
    },
  };
}
