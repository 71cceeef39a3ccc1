import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { decodeTiffLzw } from '../../src/raster/fast-lzw.js';
import { openRaster } from '../../src/raster/open.js';
import { gdal, requireGdal } from '../helpers/gdal.js';

const dir = mkdtempSync(join(tmpdir(), 'autocm-lzw-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Noise (the 12-bit table fills and is cleared), then long runs (long strings, the KwKwK case). */
function mixedBytes(width: number, height: number): Uint8Array {
  const bytes = new Uint8Array(width * height);
  let state = 12345;
  for (let i = 0; i < bytes.length; i++) {
    state = (state * 1103515245 + 12345) >>> 0;
    bytes[i] = i < bytes.length / 2 ? state >>> 24 : Math.floor(i / 700) % 3;
  }
  return bytes;
}

test('LZW strips written by GDAL (noise that fills the table, long runs) read back exactly', async (t) => {
  if (!requireGdal(t)) return;
  const [width, height] = [600, 500];
  const pixels = mixedBytes(width, height);
  const raw = join(dir, 'mixed.raw');
  writeFileSync(raw, pixels);
  writeFileSync(join(dir, 'mixed.hdr'), `ENVI\nsamples = ${width}\nlines = ${height}\nbands = 1\nheader offset = 0\nfile type = ENVI Standard\ndata type = 1\ninterleave = bsq\nbyte order = 0\n`);
  const tiff = join(dir, 'mixed.tif');
  // One strip of the whole image: a single LZW stream of 300000 bytes, many clear codes.
  gdal('gdal_translate', ['-q', '-of', 'GTiff', '-co', 'COMPRESS=LZW', '-co', `BLOCKYSIZE=${height}`, raw, tiff]);
  const source = await openRaster(tiff);
  try {
    const { bands } = await source.readWindow({ x: 0, y: 0, width, height });
    assert.deepEqual(Buffer.from(bands[0]!.buffer, bands[0]!.byteOffset, bands[0]!.byteLength).equals(Buffer.from(pixels)), true);
  } finally {
    await source.close();
  }
});

test('hand-made streams: a KwKwK code, a clear code mid-stream; corrupt codes are refused', () => {
  // 9-bit codes, MSB first: 65 ('A'), 258 (= "A" + "A", the entry being defined), 256 (clear), 66 ('B'), 257 (end).
  const codes = [65, 258, 256, 66, 257];
  const pack = (list: number[]) => {
    let bits = '';
    for (const code of list) bits += code.toString(2).padStart(9, '0');
    bits = bits.padEnd(Math.ceil(bits.length / 8) * 8, '0');
    return Uint8Array.from(bits.match(/.{8}/g)!.map((b) => parseInt(b, 2)));
  };
  assert.deepEqual([...decodeTiffLzw(pack(codes))], [65, 65, 65, 66]);
  assert.throws(() => decodeTiffLzw(pack([65, 300, 257])), /corrupt LZW data: code 300 beyond the table/);
  assert.throws(() => decodeTiffLzw(pack([256, 400, 257])), /corrupt LZW data: code 400 right after a clear code/);
});
