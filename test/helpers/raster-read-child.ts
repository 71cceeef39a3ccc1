/**
 * Child process for the bounded-memory test: opens a raster, reads one window and prints
 * {peakRssBytes, bytesRead, histogram} as JSON. Run as: node raster-read-child.js FILE X Y W H
 */
import fs from 'node:fs';
import { openRaster } from '../../src/raster/open.js';

// geotiff.js reads local files through fs.read; count the bytes it asks for.
let bytesRead = 0;
const originalRead = fs.read;
(fs as { read: unknown }).read = (...args: unknown[]) => {
  bytesRead += Number(args[3]);
  return (originalRead as (...a: unknown[]) => void)(...args);
};

const [file, x, y, width, height] = process.argv.slice(2);
const raster = await openRaster(file);
const data = await raster.readWindow({ x: Number(x), y: Number(y), width: Number(width), height: Number(height) });
await raster.close();
const histogram: Record<string, number> = {};
const box = { minCol: Infinity, maxCol: -1, minRow: Infinity, maxRow: -1 };
const values = data.bands[0];
for (let i = 0; i < values.length; i++) {
  histogram[values[i]] = (histogram[values[i]] ?? 0) + 1;
  if (values[i] !== values[0]) {
    const row = Math.floor(i / Number(width));
    const col = i % Number(width);
    box.minCol = Math.min(box.minCol, col);
    box.maxCol = Math.max(box.maxCol, col);
    box.minRow = Math.min(box.minRow, row);
    box.maxRow = Math.max(box.maxRow, row);
  }
}
process.stdout.write(
  JSON.stringify({
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
    bytesRead,
    histogram,
    /** Bounding box (window pixels) of the values that differ from the first pixel. */
    box,
    info: { width: raster.info.width, height: raster.info.height, tiled: raster.info.tiled, blockWidth: raster.info.blockWidth },
  }),
);
