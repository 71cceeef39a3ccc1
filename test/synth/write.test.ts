import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { openRaster } from '../../src/raster/open.js';
import { toReflectance } from '../../src/raster/reflectance.js';
import { openStack } from '../../src/raster/stack.js';
import { generateSyntheticStack, streamSyntheticStack, synthesiseToFolder, writeSyntheticStack, type SyntheticManifest, type SyntheticStack } from '../../src/synth/index.js';
import { epsgFromWkt, gdalinfoJson, readWithGdal, requireGdal } from '../helpers/gdal.js';

describe('writeSyntheticStack: real COGs in the ../shared/data layout', () => {
  let root: string;
  let stack: SyntheticStack;
  let manifest: SyntheticManifest;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'autocm-synth-write-'));
    stack = generateSyntheticStack({ size: 96, dates: 4, sensor: 'planetscope4', seed: 5, startDate: '2023-05-01', cadenceDays: 3 });
    manifest = await writeSyntheticStack(stack, join(root, 'a'));
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  test('img_YYYYMMDD.tif, masks/mask_YYYYMMDD.tif, surface/surface_YYYYMMDD.tif and manifest.json', async () => {
    const dir = join(root, 'a');
    assert.deepEqual((await readdir(dir)).sort(), ['img_20230501.tif', 'img_20230504.tif', 'img_20230507.tif', 'img_20230510.tif', 'manifest.json', 'masks', 'surface']);
    assert.deepEqual((await readdir(join(dir, 'masks'))).sort(), ['mask_20230501.tif', 'mask_20230504.tif', 'mask_20230507.tif', 'mask_20230510.tif']);
    assert.equal((await readdir(join(dir, 'surface'))).length, 4);
    const onDisk = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as SyntheticManifest;
    assert.deepEqual(onDisk, JSON.parse(JSON.stringify(manifest)));
    assert.equal(onDisk.seed, 5);
    assert.equal(onDisk.crs, 'EPSG:32633');
    assert.deepEqual(onDisk.bands, ['blue', 'green', 'red', 'nir']);
    onDisk.dates.forEach((entry, k) => {
      assert.equal(entry.cloudFraction, Number(stack.dates[k].cloudFraction.toFixed(5)));
      assert.equal(entry.image, `img_${entry.date.replaceAll('-', '')}.tif`);
    });
  });

  test('every file reads back through openRaster with the same values and georeference', async () => {
    const dir = join(root, 'a');
    for (const [k, entry] of manifest.dates.entries()) {
      const expected = stack.dates[k];
      const files: [string, ArrayLike<number>[], string, number | null][] = [
        [entry.image, expected.dn, 'uint16', 0],
        [entry.mask, [expected.truth], 'uint8', 255],
        [entry.surface, expected.surface, 'float32', null],
      ];
      for (const [name, bands, sampleType, nodata] of files) {
        const source = await openRaster(join(dir, name));
        try {
          assert.equal(source.info.width, 96);
          assert.equal(source.info.height, 96);
          assert.equal(source.info.sampleType, sampleType);
          assert.equal(source.info.nodata, nodata);
          assert.equal(source.info.epsg, 32633);
          assert.deepEqual(source.info.geoTransform, [500000, 3, 0, 5300000, 0, -3]);
          const data = await source.readWindow({ x: 0, y: 0, width: 96, height: 96 });
          assert.equal(data.bands.length, bands.length);
          data.bands.forEach((band, b) => assert.deepEqual(Array.from(band), Array.from(bands[b])));
        } finally {
          await source.close();
        }
      }
    }
  });

  test('GDAL agrees about CRS, size, geotransform, nodata and pixel values', (t) => {
    if (!requireGdal(t)) return;
    const dir = join(root, 'a');
    const entry = manifest.dates[2];
    const info = gdalinfoJson(join(dir, entry.image));
    assert.deepEqual(info.size, [96, 96]);
    assert.equal(epsgFromWkt(info.coordinateSystem?.wkt), 32633);
    assert.deepEqual(info.geoTransform, [500000, 3, 0, 5300000, 0, -3]);
    assert.deepEqual(info.bands.map((b) => b.description), ['blue', 'green', 'red', 'nir']);
    assert.ok(info.bands.every((b) => b.noDataValue === 0 && b.type === 'UInt16'));
    const mask = gdalinfoJson(join(dir, entry.mask));
    assert.equal(mask.bands[0].noDataValue, 255);
    assert.equal(mask.bands[0].type, 'Byte');
    const pixels = readWithGdal(join(dir, entry.image));
    pixels.bands.forEach((band, b) => assert.deepEqual(Array.from(band), Array.from(stack.dates[2].dn[b])));
  });

  test('the same seed writes byte-identical files', async () => {
    const again = generateSyntheticStack({ size: 96, dates: 4, sensor: 'planetscope4', seed: 5, startDate: '2023-05-01', cadenceDays: 3 });
    await writeSyntheticStack(again, join(root, 'b'));
    for (const entry of manifest.dates) {
      for (const name of [entry.image, entry.mask, entry.surface]) {
        assert.ok((await readFile(join(root, 'a', name))).equals(await readFile(join(root, 'b', name))), `${name} differs`);
      }
    }
    assert.equal(await readFile(join(root, 'a', 'manifest.json'), 'utf8'), await readFile(join(root, 'b', 'manifest.json'), 'utf8'));
  });

  test('synthesiseToFolder, which streams date by date, writes the same bytes as the in-memory stack', async () => {
    const result = await synthesiseToFolder(join(root, 'streamed'), { size: 96, dates: 4, sensor: 'planetscope4', seed: 5, startDate: '2023-05-01', cadenceDays: 3, quiet: true });
    assert.deepEqual(result.manifest, manifest);
    for (const entry of manifest.dates) {
      for (const name of [entry.image, entry.mask, entry.surface]) {
        assert.ok((await readFile(join(root, 'a', name))).equals(await readFile(join(root, 'streamed', name))), `${name} differs`);
      }
    }
    assert.equal(await readFile(join(root, 'a', 'manifest.json'), 'utf8'), await readFile(join(root, 'streamed', 'manifest.json'), 'utf8'));
  });

  test('streamSyntheticStack checks the options at once and computes each date only when asked', () => {
    assert.throws(() => streamSyntheticStack({ size: 100, dates: 3, sensor: 'planetscope4', seed: 1 }), /multiple of 8/);
    const stream = streamSyntheticStack({ size: 96, dates: 4, sensor: 'planetscope4', seed: 5, startDate: '2023-05-01', cadenceDays: 3 });
    const iterator = stream.dates[Symbol.iterator]();
    const first = iterator.next();
    assert.equal(first.done, false);
    assert.equal(first.value!.date, '2023-05-01');
    assert.deepEqual(first.value!.dn, stack.dates[0].dn);
    const rest = [...{ [Symbol.iterator]: () => iterator }];
    assert.deepEqual(rest.map((d) => d.date), ['2023-05-04', '2023-05-07', '2023-05-10']);
    assert.deepEqual(rest[2].truth, stack.dates[3].truth);
  });

  test("autocm opens each sensor's folder as a stack, detects the sensor and recovers the reflectance", async () => {
    for (const sensor of ['planetscope4', 'sentinel2-l1c', 'landsat89-l2'] as const) {
      const synthetic = generateSyntheticStack({ size: 64, dates: 3, sensor, seed: 2 });
      const dir = join(root, sensor);
      await writeSyntheticStack(synthetic, dir);
      const opened = await openStack([dir]);
      assert.equal(opened.sensor.id, sensor);
      assert.equal(opened.images.length, 3, 'masks/ and surface/ are not part of the stack');
      assert.equal(opened.bandNames.length, synthetic.bandNames.length);
      const image = opened.images[1];
      const source = await image.open();
      try {
        const data = await source.readWindow({ x: 0, y: 0, width: 64, height: 64 });
        const nir = opened.bandNames.indexOf('nir');
        const reflectance = toReflectance(image.bands[nir], data.bands[nir], image.nodata);
        const expected = synthetic.dates[1].dn[nir];
        for (let i = 0; i < expected.length; i += 97) {
          if (expected[i] === 0) assert.ok(Number.isNaN(reflectance[i]));
          else assert.ok(Math.abs(reflectance[i] - (expected[i] * synthetic.sensor.dnScale + synthetic.sensor.dnOffset)) < 1e-6);
        }
      } finally {
        await source.close();
      }
    }
  });
});
