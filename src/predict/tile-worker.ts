/**
 * Worker thread that reads and normalises tiles while the main thread runs the network
 * (onnxruntime-node's run blocks the thread that calls it). Messages in: {index} requests,
 * answered in order with {index, input, nodata, nonFinite} (buffers transferred, not copied)
 * or {index, error, file}.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openRaster } from '../raster/open.js';
import { isAutocmError } from '../util/errors.js';
import type { TilePlan } from './tile-plan.js';
import { inThreadTileSource, type TileSourceOptions } from './tile-source.js';

const { source: path, plan, options } = workerData as { source: string; plan: TilePlan; options: TileSourceOptions };
const port = parentPort!;
const raster = await openRaster(path);
const tiles = inThreadTileSource(raster, plan, options);
let queue = Promise.resolve();
port.on('message', (message: { index: number } | 'close') => {
  if (message === 'close') {
    queue = queue.then(() => raster.close()).then(() => port.close());
    return;
  }
  queue = queue.then(async () => {
    try {
      const tile = await tiles.tile(message.index);
      port.postMessage({ index: message.index, ...tile }, [tile.input.buffer as ArrayBuffer, tile.nodata.buffer as ArrayBuffer]);
    } catch (error) {
      port.postMessage({ index: message.index, error: error instanceof Error ? error.message : String(error), autocm: isAutocmError(error) });
    }
  });
});
port.postMessage('ready');
