import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, describe, test } from 'node:test';
import { openRaster } from '../../src/raster/open.js';
import { parseStac } from '../../src/raster/stac.js';
import { openStack } from '../../src/raster/stack.js';
import { AutocmError } from '../../src/util/errors.js';
import { gdal, requireGdal } from '../helpers/gdal.js';
import { serveFiles } from '../helpers/http-server.js';
import { sharedPath } from '../helpers/shared-data.js';

const workDir = mkdtempSync(join(tmpdir(), 'autocm-stac-'));
after(() => rmSync(workDir, { recursive: true, force: true }));

const s2Names = ['B01', 'B02', 'B03', 'B04', 'B05', 'B06', 'B07', 'B08', 'B8A', 'B09', 'B10', 'B11', 'B12'];

function item(id: string, datetime: string, assets: Record<string, unknown>, properties: Record<string, unknown> = {}) {
  return { type: 'Feature', stac_version: '1.0.0', id, properties: { datetime, ...properties }, geometry: null, links: [], assets };
}

function collection(items: unknown[]) {
  return { type: 'FeatureCollection', features: items };
}

/** One 13-band asset per item, with eo:bands: the item ids carry no date, STAC datetime orders them. */
function sloveniaCollection(folder: string, hrefOf: (file: string) => string) {
  const dates: [string, string][] = [
    ['img_20150909.tif', '2015-09-09T10:00:00Z'],
    ['img_20150711.tif', '2015-07-11T10:00:08Z'],
    ['img_20150820.tif', '2015-08-20T10:07:28Z'],
  ];
  return collection(
    dates.map(([file, datetime], i) =>
      item(`slovenia-${i}`, datetime, {
        visual: { href: hrefOf('preview.png'), type: 'image/png', roles: ['overview'] },
        data: { href: hrefOf(join(folder, file)), type: 'image/tiff; application=geotiff', roles: ['data'], 'eo:bands': s2Names.map((name) => ({ name })) },
      }, { platform: 'sentinel-2a', instruments: ['msi'] }),
    ),
  );
}

describe('STAC ItemCollection', () => {
  test('local ItemCollection: items ordered by STAC datetime, multi-band assets picked by eo:bands', async (t) => {
    const folder = sharedPath(t, 'data', 'eolearn-s2-slovenia-ts');
    if (!folder) return;
    const dir = join(workDir, 'local');
    mkdirSync(dir);
    const path = join(dir, 'items.json');
    writeFileSync(path, JSON.stringify(sloveniaCollection(folder, (f) => (f.endsWith('.tif') ? relative(dir, f) : f))));
    const stack = await openStack([path], { sensor: 'sentinel2-l1c' });
    assert.deepEqual(stack.images.map((i) => i.id), ['slovenia-1', 'slovenia-2', 'slovenia-0']);
    assert.deepEqual(stack.images.map((i) => i.dateSource), ['stac', 'stac', 'stac']);
    assert.equal(stack.images[0].date!.toISOString(), '2015-07-11T10:00:08.000Z');
    assert.equal(stack.images[0].source, join(folder, 'img_20150711.tif'));
    assert.equal(stack.bandNames.length, 13);
    assert.equal(stack.images[0].bandNames[7], 'nir');
  });

  test('per-band assets (Landsat C2 L2 style keys and eo:bands common names) served over HTTP from 127.0.0.1', async (t) => {
    const file = sharedPath(t, 'data', 'riocloudmask-l8-longisland', 'img_20151022.tif');
    if (!file || !requireGdal(t)) return;
    const dir = join(workDir, 'http');
    mkdirSync(dir);
    const product = 'LC08_L2SP_013031_20151022_20200918_02_T1';
    const bands: [number, string, string][] = [[1, 'SR_B2', 'blue'], [2, 'SR_B3', 'green'], [3, 'SR_B4', 'red'], [4, 'SR_B5', 'nir08']];
    const files: Record<string, string> = {};
    const assets: Record<string, unknown> = {};
    for (const [n, name, common] of bands) {
      const local = join(dir, `${product}_${name}.TIF`);
      gdal('gdal_translate', ['-q', '-b', String(n), file, local]);
      files[`/landsat/${product}_${name}.TIF`] = local;
      assets[common] = { href: `${product}_${name}.TIF`, type: 'image/tiff; application=geotiff; profile=cloud-optimized', roles: ['data'], 'eo:bands': [{ name, common_name: common }] };
    }
    assets.qa_pixel = { href: `${product}_QA_PIXEL.TIF`, type: 'image/tiff', roles: ['cloud'], 'eo:bands': [{ name: 'QA_PIXEL' }] };
    const json = join(dir, 'items.json');
    writeFileSync(json, JSON.stringify(collection([item(product, '2015-10-22T15:35:07.1Z', assets, { platform: 'landsat-8' })])));
    files['/landsat/items.json'] = json;
    const server = await serveFiles(files);
    try {
      const stack = await openStack([`${server.url}/landsat/items.json`]);
      assert.equal(stack.images.length, 1);
      const [image] = stack.images;
      assert.equal(image.sensor.id, 'landsat89-l2');
      assert.equal(image.dateSource, 'stac');
      assert.equal(image.date!.toISOString(), '2015-10-22T15:35:07.100Z');
      assert.deepEqual(image.bandNames, ['blue', 'green', 'red', 'nir']);
      assert.deepEqual(image.files, bands.map(([, name]) => `${server.url}/landsat/${product}_${name}.TIF`));
      const remote = await image.open();
      const original = await openRaster(file);
      try {
        const window = { x: 100, y: 200, width: 64, height: 32 };
        assert.deepEqual((await remote.readWindow(window)).bands, (await original.readWindow(window)).bands);
      } finally {
        await Promise.all([remote.close(), original.close()]);
      }
      await assert.rejects(openStack([`${server.url}/landsat/missing.json`]), (error: unknown) => error instanceof AutocmError && error.message === `${server.url}/landsat/missing.json: cannot fetch STAC JSON: HTTP 404 Not Found`);
      await assert.rejects(
        openStack([`${server.url}/landsat/items.json`], { bands: ['red', 'swir1'] }),
        (error: unknown) => error instanceof AutocmError && /STAC item LC08_L2SP_\S+ has no image asset for band\(s\) swir1 \(image assets: blue \[SR_B2\]; .* qa_pixel \[QA_PIXEL\]\)/.test(error.message),
      );
    } finally {
      await server.close();
    }
  });

  test('a JSON that is not STAC, and an item with an unreadable datetime, are refused naming the file', () => {
    assert.throws(() => parseStac({ type: 'Catalog' }, 'cat.json'), /cat\.json: not a STAC Item or ItemCollection/);
    assert.throws(() => parseStac(item('x', 'yesterday', {}), 'one.json'), /one\.json: item x has an unreadable datetime "yesterday"/);
    const single = parseStac(item('x', '2020-01-02T03:04:05Z', { b: { href: 'b.tif' }, thumb: { href: 't.png' } }), '/data/one.json');
    assert.deepEqual(single[0].assets.map((a) => a.href), ['/data/b.tif']);
  });
});
