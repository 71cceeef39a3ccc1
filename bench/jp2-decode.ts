// JPEG 2000 decode speed and peak RSS on a full band: `node dist/bench/jp2-decode.js BAND.jp2 [RAW.bin] [--window 1024] [--level 0]`.
// Reads the band in row-major windows (as predict does), checks against a raw little-endian uint16
// file of the same size when one is given, and prints Mpx/s and the process's peak RSS.
import { openSync, readSync, closeSync } from 'node:fs';
import { openRaster } from '../src/raster/open.js';

const args = process.argv.slice(2);
const path = args.find((a) => /\.(jp2|j2k)$/i.test(a));
if (!path) {
  console.error('usage: node dist/bench/jp2-decode.js BAND.jp2 [RAW.bin] [--window 1024] [--level 0]');
  process.exit(2);
}
const raw = args.find((a) => /\.bin$/i.test(a));
const option = (name: string, fallback: number) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const size = option('--window', 1024);
const level = option('--level', 0);
const started = performance.now();
const source = await openRaster(path);
const { width, height } = level === 0 ? source.info : source.info.overviews[level - 1];
const rawFd = raw ? openSync(raw, 'r') : null;
let differing = 0;
for (let y = 0; y < height; y += size) {
  for (let x = 0; x < width; x += size) {
    const window = { x, y, width: Math.min(size, width - x), height: Math.min(size, height - y) };
    const data = (await source.readWindow(window, { level })).bands[0];
    if (rawFd !== null && level === 0) {
      const row = Buffer.alloc(window.width * 2);
      for (let r = 0; r < window.height; r++) {
        readSync(rawFd, row, 0, row.length, ((y + r) * width + x) * 2);
        for (let c = 0; c < window.width; c++) if (row.readUInt16LE(c * 2) !== data[r * window.width + c]) differing++;
      }
    }
  }
}
if (rawFd !== null) closeSync(rawFd);
await source.close();
const seconds = (performance.now() - started) / 1000;
const info = `${width} x ${height} (level ${level}), windows of ${size}: ${seconds.toFixed(1)} s, ${((width * height) / 1e6 / seconds).toFixed(2)} Mpx/s`;
console.log(`jp2 decode ${info}, peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB${raw && level === 0 ? `, ${differing} samples differ from ${raw}` : ''}`);
