import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test, type TestContext } from 'node:test';
import { writeCog } from '../../src/raster/cog-writer.js';
import { openRaster } from '../../src/raster/open.js';
import { openStack } from '../../src/raster/stack.js';
import type { TypedArray } from '../../src/raster/types.js';
import { synthesiseGroundToFolder, type GroundSynthResult } from '../../src/synth/index.js';
import { createPhenology, seasonalFactors } from '../../src/synth/phenology.js';
import { cliPath, sharedPath } from '../helpers/shared-data.js';

const NAIP = ['data', 'naip-nd-10dates'];
const SCALE = 1 / 255;

async function readAll(path: string): Promise<TypedArray[]> {
  const source = await openRaster(path);
  try {
    return (await source.readWindow({ x: 0, y: 0, width: source.info.width, height: source.info.height })).bands;
  } finally {
    await source.close();
  }
}

interface CropOptions {
  window?: { x: number; y: number; width: number; height: number };
  /** Bands of the NAIP file to keep (all four by default), named by `descriptions`. */
  bands?: number[];
  descriptions?: string[];
  nodata?: number;
  /** Pixels east and south by which the origin moves off the NAIP grid. */
  shift?: [number, number];
  edit?: (bands: Uint16Array[], width: number) => void;
}

/** A window of a NAIP date written as a new ground image (its grid moved with the window). */
async function writeCrop(naip: string, date: string, target: string, options: CropOptions = {}): Promise<void> {
  const source = await openRaster(join(naip, `img_${date}.tif`));
  try {
    const window = options.window ?? { x: 0, y: 0, width: 96, height: 96 };
    const bands = options.bands ?? [0, 1, 2, 3];
    const data = await source.readWindow(window, { bands });
    const copies = data.bands.map((band) => Uint16Array.from(band));
    options.edit?.(copies, window.width);
    const t = source.info.geoTransform!;
    const [dx, dy] = options.shift ?? [0, 0];
    const geoTransform: [number, number, number, number, number, number] = [t[0] + (window.x + dx) * t[1], t[1], 0, t[3] + (window.y + dy) * t[5], 0, t[5]];
    await writeCog(
      target,
      {
        width: window.width,
        height: window.height,
        bandCount: bands.length,
        sampleType: 'uint16',
        georeference: { geoTransform, epsg: source.info.epsg, geoKeys: source.info.geoKeys },
        nodata: options.nodata ?? null,
        bandDescriptions: options.descriptions ?? ['blue', 'green', 'red', 'nir'],
      },
      copies,
    );
  } finally {
    await source.close();
  }
}

describe('autocm synth --ground: synthetic clouds over real clear ground', () => {
  let root: string;
  let naipRun: Promise<GroundSynthResult & { warningsSeen: string[] }> | undefined;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'autocm-synth-ground-'));
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  /** The whole NAIP series (10 dates, 640 x 640) under seed 1, generated once. */
  function naipStack(t: TestContext) {
    const folder = sharedPath(t, ...NAIP);
    if (!folder) return undefined;
    naipRun ??= (async () => {
      const warningsSeen: string[] = [];
      const result = await synthesiseGroundToFolder(join(root, 'naip'), { ground: [folder], seed: 1, quiet: true, onWarning: (w) => warningsSeen.push(w) });
      return { ...result, warningsSeen };
    })();
    return naipRun.then((result) => ({ folder, ...result }));
  }

  /** A folder of NAIP crops with the NAIP sensor.json beside them. */
  async function cropFolder(t: TestContext, name: string, crops: [string, CropOptions?][]): Promise<string | undefined> {
    const naip = sharedPath(t, ...NAIP);
    if (!naip) return undefined;
    const dir = join(root, name);
    await mkdir(dir, { recursive: true });
    await copyFile(join(naip, 'sensor.json'), join(dir, 'sensor.json'));
    for (const [date, options] of crops) await writeCrop(naip, date, join(dir, `img_${date}.tif`), options);
    return dir;
  }

  test("one image per date: the ground's dates, grid, bands and encoding; sensor.json found beside the images", async (t) => {
    const run = await naipStack(t);
    if (!run) return;
    const groundDates = ['2009-08-18', '2010-06-29', '2012-07-31', '2014-07-20', '2015-09-26', '2016-08-16', '2017-08-27', '2018-07-16', '2019-09-04', '2020-08-31'];
    assert.deepEqual(run.manifest.dates.map((d) => d.date), groundDates);
    assert.deepEqual(run.manifest.dates.map((d) => d.ground), groundDates.map((d) => `img_${d.replaceAll('-', '')}.tif`));
    assert.equal(run.manifest.ground.sensorFrom, join(run.folder, 'sensor.json'));
    assert.deepEqual(run.warningsSeen, [], 'NAIP is clear: no cloudy-ground warning');
    const ground = await openStack([run.folder], { sensor: join(run.folder, 'sensor.json') });
    const output = await openStack([run.directory], { sensor: join(run.directory, 'sensor.json') });
    assert.deepEqual(output.images.map((i) => i.date), ground.images.map((i) => i.date));
    assert.deepEqual(output.georeference, ground.georeference);
    assert.deepEqual([output.width, output.height], [640, 640]);
    assert.deepEqual(output.bandNames, ['blue', 'green', 'red', 'nir']);
    const info = output.images[0].info;
    assert.equal(info.sampleType, 'uint16');
    assert.equal(info.nodata, 0);
    assert.ok(output.images[0].bands.every((b) => b.scale === SCALE && b.offset === 0));
    assert.equal(run.manifest.crs, 'EPSG:26914');
    for (const entry of run.manifest.dates) {
      assert.ok(existsSync(join(run.directory, entry.mask)) && existsSync(join(run.directory, entry.surface)));
    }
  });

  test("clear pixels keep the ground's DN, clouds are brighter and shadows darker than the ground", async (t) => {
    const run = await naipStack(t);
    if (!run) return;
    let pooledCloud = 0;
    let pooledBrighter = 0;
    for (const [k, entry] of run.manifest.dates.entries()) {
      const out = await readAll(join(run.directory, entry.image));
      const [truth] = await readAll(join(run.directory, entry.mask));
      // Reading is the slow part of this test: surface/ is checked on two dates.
      const surface = k < 2 ? await readAll(join(run.directory, entry.surface)) : null;
      const ground = await readAll(join(run.folder, entry.ground));
      let clear = 0;
      let identical = 0;
      let cloud = 0;
      let brighter = 0;
      let cloudGain = 0;
      let shadow = 0;
      let darker = 0;
      let surfaceOff = 0;
      for (let i = 0; i < truth.length; i += 1) {
        if (surface) for (let b = 0; b < 4; b += 1) if (surface[b][i] !== Math.fround(ground[b][i] * SCALE)) surfaceOff += 1;
        const visibleOut = out[0][i] + out[1][i] + out[2][i];
        const visibleGround = ground[0][i] + ground[1][i] + ground[2][i];
        if (truth[i] === 0) {
          clear += 1;
          // DN 0 is the output's nodata: a real 0 is written as 1.
          if ([0, 1, 2, 3].every((b) => out[b][i] === Math.max(1, ground[b][i]))) identical += 1;
        } else if (truth[i] === 1) {
          cloud += 1;
          if (visibleOut > visibleGround) brighter += 1;
          cloudGain += (visibleOut - visibleGround) / 3;
        } else if (truth[i] === 2) {
          shadow += 1;
          if (visibleOut + out[3][i] < visibleGround + ground[3][i]) darker += 1;
        } else {
          assert.equal(truth[i], 255);
          assert.ok([0, 1, 2, 3].every((b) => out[b][i] === 0));
        }
      }
      assert.equal(surfaceOff, 0, `${entry.date}: surface/ is the ground's reflectance`);
      const calm = entry.hazeMaxOpacity === 0 && entry.cirrusMaxOpacity === 0;
      // Measured with seed 1: 100 % on the dates without any atmosphere, 95.4-98.0 % on the dates
      // with clouds but no haze or cirrus (soft cloud and shadow edges below the truth threshold
      // alter clear pixels too).
      if (calm && entry.cloudFraction === 0) assert.equal(identical, clear, `${entry.date}: every clear pixel is the ground's`);
      else if (calm) assert.ok(identical / clear >= 0.95, `${entry.date}: only ${identical / clear} of the clear pixels are the ground's`);
      if (cloud > 0) {
        // NAIP's DN / 255 is brighter than true reflectance (median 0.31-0.49), so dim cloud edges
        // can be darker than bright fields: measured 72.8-97.1 % brighter, +15 to +66 DN on average.
        assert.ok(brighter / cloud >= 0.7, `${entry.date}: only ${brighter / cloud} of the cloud pixels are brighter`);
        assert.ok(cloudGain / cloud >= 10, `${entry.date}: clouds only ${cloudGain / cloud} DN brighter`);
      }
      if (shadow > 100) assert.ok(darker / shadow >= 0.95, `${entry.date}: only ${darker / shadow} of the shadow pixels are darker`);
      pooledCloud += cloud;
      pooledBrighter += brighter;
    }
    assert.ok(pooledCloud > 0.1 * 640 * 640 * 10, 'the series holds clouds');
    // Measured: 84 % of all cloud pixels brighter than the ground.
    assert.ok(pooledBrighter / pooledCloud >= 0.8, `${pooledBrighter / pooledCloud}`);
  });

  test('one image repeated over --dates with slight phenology, on a non-square ground', async (t) => {
    const dir = await cropFolder(t, 'single', [['20160816', { window: { x: 200, y: 100, width: 160, height: 96 } }]]);
    if (!dir) return;
    const out = join(root, 'single-out');
    const result = await synthesiseGroundToFolder(out, { ground: [join(dir, 'img_20160816.tif')], seed: 3, dates: 4, quiet: true });
    const { manifest } = result;
    assert.deepEqual(manifest.dates.map((d) => d.date), ['2016-08-16', '2016-08-23', '2016-08-30', '2016-09-06'], "from the ground's own date, 7 days apart");
    assert.deepEqual(manifest.size, [160, 96]);
    assert.equal(manifest.ground.mode, 'one real image repeated with synthetic phenology');
    const ground = await readAll(join(dir, 'img_20160816.tif'));
    const phenology = createPhenology(160, 96, 3, 229, ['blue', 'green', 'red', 'nir']);
    for (const [k, entry] of manifest.dates.entries()) {
      const surface = await readAll(join(out, entry.surface));
      const [truth] = await readAll(join(out, entry.mask));
      assert.equal(truth.length, 160 * 96);
      const factors = seasonalFactors(phenology, 229 + 7 * k);
      assert.deepEqual(entry.phenologyFactors, factors.map((f) => Number(f.toFixed(5))));
      for (let b = 0; b < 4; b += 1) {
        for (let i = 0; i < surface[b].length; i += 1) {
          const ratio = surface[b][i] / (ground[b][i] * SCALE);
          // The seasonal factor plus a smooth field of at most 3.6 %; exactly 1 on the ground's own date.
          if (k === 0) assert.equal(surface[b][i], Math.fround(ground[b][i] * SCALE));
          else assert.ok(Math.abs(ratio - factors[b]) <= 0.036, `${entry.date} band ${b}: ratio ${ratio}, seasonal ${factors[b]}`);
        }
      }
    }
    const opened = await openStack([out], { sensor: join(out, 'sensor.json') });
    assert.equal(opened.images.length, 4);
    assert.deepEqual(opened.georeference.geoTransform, [486636 + 200 * 5, 5, 0, 5209038 - 100 * 5, 0, -5]);
  });

  test('ground images of another size or off the grid fail naming the file, before anything is written', async (t) => {
    const sizes = await cropFolder(t, 'sizes', [['20160816'], ['20170827', { window: { x: 0, y: 0, width: 64, height: 96 } }]]);
    const grid = await cropFolder(t, 'grid', [['20160816'], ['20170827', { shift: [3, 0] }]]);
    if (!sizes || !grid) return;
    const out = join(root, 'never');
    await assert.rejects(synthesiseGroundToFolder(out, { ground: [sizes], seed: 1, quiet: true }), /img_20170827\.tif: size 64 x 96 differs from 96 x 96 of .*img_20160816\.tif/);
    await assert.rejects(synthesiseGroundToFolder(out, { ground: [grid], seed: 1, quiet: true }), /img_20170827\.tif: not on the grid of .*img_20160816\.tif/);
    await assert.rejects(synthesiseGroundToFolder(out, { ground: [grid], seed: 1, dates: 5, quiet: true }), /not on the grid/);
    assert.equal(existsSync(out), false);
  });

  test('a ground without blue, green, red and nir fails; several images with --dates fail', async (t) => {
    const three = await cropFolder(t, 'three', [['20160816', { bands: [0, 1, 2], descriptions: ['blue', 'green', 'red'] }]]);
    const two = await cropFolder(t, 'two', [['20160816'], ['20170827']]);
    if (!three || !two) return;
    const out = join(root, 'never');
    await assert.rejects(synthesiseGroundToFolder(out, { ground: [three], seed: 1, quiet: true }), /img_20160816\.tif: .*this image 3 \(blue, green, red\)/);
    await assert.rejects(synthesiseGroundToFolder(out, { ground: [two], seed: 1, dates: 5, quiet: true }), /--dates, --start-date and --cadence-days apply to a single --ground image only/);
    assert.equal(existsSync(out), false);
  });

  test('a cloudy-looking ground, or a date far brighter than the others, warns that its clouds become clear truth', async (t) => {
    const paintCloud = (bands: Uint16Array[], width: number) => {
      for (let y = 10; y < 40; y += 1) for (let x = 10; x < 40; x += 1) for (const band of bands) band[y * width + x] = 250;
    };
    const overcast = (bands: Uint16Array[]) => {
      for (const band of bands) for (let i = 0; i < band.length; i += 1) band[i] = Math.min(255, Math.round(band[i] * 2.4));
    };
    const dir = await cropFolder(t, 'cloudy', [['20160816'], ['20170827', { edit: paintCloud }], ['20180716', { edit: overcast }]]);
    if (!dir) return;
    const warnings: string[] = [];
    const result = await synthesiseGroundToFolder(join(root, 'cloudy-out'), { ground: [dir], seed: 1, quiet: true, onWarning: (w) => warnings.push(w) });
    assert.equal(warnings.length, 2, warnings.join('\n'));
    assert.match(warnings[0], /img_20170827\.tif: looks cloudy \(9\.8 % of its pixels .*\): its clouds become clear truth/);
    assert.match(warnings[1], /img_20180716\.tif: looks overcast or hazy \(.*2\.\d times the series' typical .*\): its clouds become clear truth/);
    assert.deepEqual(result.warnings, warnings);
  });

  test("the ground's nodata stays nodata in the image and 255 in the truth", async (t) => {
    const blank = (bands: Uint16Array[], width: number) => {
      for (let y = 0; y < 96; y += 1) for (let x = 60; x < 96; x += 1) for (const band of bands) band[y * width + x] = 0;
    };
    const dir = await cropFolder(t, 'nodata', [['20160816', { nodata: 0, edit: blank }], ['20170827', { nodata: 0 }]]);
    if (!dir) return;
    const out = join(root, 'nodata-out');
    const { manifest } = await synthesiseGroundToFolder(out, { ground: [dir], seed: 1, quiet: true });
    const image = await readAll(join(out, manifest.dates[0].image));
    const [truth] = await readAll(join(out, manifest.dates[0].mask));
    const surface = await readAll(join(out, manifest.dates[0].surface));
    for (let y = 0; y < 96; y += 1) {
      for (let x = 60; x < 96; x += 1) {
        const i = y * 96 + x;
        assert.equal(truth[i], 255);
        assert.ok(image.every((band) => band[i] === 0));
        assert.ok(surface.every((band) => Number.isNaN(band[i])));
      }
    }
    assert.ok(manifest.dates[0].nodataFraction >= 36 / 96);
    assert.equal((await openRaster(join(out, manifest.dates[0].image))).info.nodata, 0);
  });

  test('the CLI: --json summary, and --size refused with --ground', async (t) => {
    const dir = await cropFolder(t, 'cli', [['20160816'], ['20170827']]);
    if (!dir) return;
    const run = spawnSync(process.execPath, [cliPath, 'synth', '-o', join(root, 'cli-out'), '--ground', dir, '--seed', '2', '--json'], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    const summary = JSON.parse(run.stdout) as { dates: number; size: number[]; crs: string; ground: string; bands: string[] };
    assert.equal(summary.dates, 2);
    assert.deepEqual(summary.size, [96, 96]);
    assert.equal(summary.crs, 'EPSG:26914');
    assert.equal(summary.ground, 'one real image per date');
    assert.ok(JSON.parse(await readFile(join(root, 'cli-out', 'sensor.json'), 'utf8')).bands.length === 4);
    const refused = spawnSync(process.execPath, [cliPath, 'synth', '-o', join(root, 'cli-bad'), '--ground', dir, '--size', '64'], { encoding: 'utf8' });
    assert.notEqual(refused.status, 0);
    assert.match(refused.stderr, /--size does not apply with --ground/);
  });
});
