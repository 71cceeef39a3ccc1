/**
 * Child process for the COG writer tests: streams a synthetic uint16 image, value (7x + 13y) mod 65536,
 * in rows of 512 lines. Usage: node cog-write-child.js OUT WIDTH HEIGHT [finish|hang]
 * "finish" writes everything and prints {peakRssBytes}; "hang" writes half the rows, prints
 * "ready" and waits to be killed (a crash in the middle of a write).
 */
import { createCogWriter } from '../../src/raster/cog-writer.js';

function syntheticValue(x: number, y: number): number {
  return (7 * x + 13 * y) & 0xffff;
}

const [out, widthText, heightText, mode = 'finish'] = process.argv.slice(2);
{
  const width = Number(widthText);
  const height = Number(heightText);
  const writer = await createCogWriter(out, {
    width,
    height,
    bandCount: 1,
    sampleType: 'uint16',
    georeference: { geoTransform: [500000, 10, 0, 4000000, 0, -10], epsg: 32633, geoKeys: null },
    overviewResampling: 'average',
  });
  const rows = 512;
  const stopAt = mode === 'hang' ? Math.floor(height / 2) : height;
  const rowBuffer = new Uint16Array(width * rows);
  for (let y = 0; y < stopAt; y += rows) {
    const h = Math.min(rows, height - y);
    const band = rowBuffer.subarray(0, width * h);
    for (let r = 0; r < h; r++) for (let x = 0; x < width; x++) band[r * width + x] = syntheticValue(x, y + r);
    await writer.writeWindow({ window: { x: 0, y, width, height: h }, bands: [band] });
  }
  if (mode === 'hang') {
    process.stdout.write('ready\n');
    setInterval(() => undefined, 1000);
  } else {
    await writer.finish();
    process.stdout.write(JSON.stringify({ peakRssBytes: process.resourceUsage().maxRSS * 1024 }));
  }
}
