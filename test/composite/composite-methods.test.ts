import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CompositeAccumulator, medianOf, WEIGHT_EPSILON } from '../../src/composite/composite-methods.js';
import { matchMasks } from '../../src/composite/mask-matching.js';

const f = (...v: number[]) => Float32Array.from(v);
const NaN_ = Number.NaN;

test('mean composite is the method formula sum (1-p) X / (sum (1-p) + 1e-8), nodata weight 0', () => {
  const acc = new CompositeAccumulator('mean', 1, 3, 0.5);
  acc.add([f(10, 10, NaN_)], f(0.2, 0.9, 0));
  acc.add([f(20, 30, 5)], f(0.6, 0.9, NaN_));
  const { bands, count } = acc.result();
  assert.ok(Math.abs(bands[0]![0]! - (0.8 * 10 + 0.4 * 20) / (1.2 + WEIGHT_EPSILON)) < 1e-4);
  // Pixel 1 has no clear observation (p >= 0.5 twice): nodata. Pixel 2: image nodata then mask nodata.
  assert.ok(Number.isNaN(bands[0]![1]!));
  assert.ok(Number.isNaN(bands[0]![2]!));
  assert.deepEqual([...count], [1, 0, 0]);
});

test('median of clear observations per band', () => {
  const acc = new CompositeAccumulator('median', 2, 1, 0.5);
  for (const [x, p] of [[1, 0], [100, 1], [3, 0.1], [2, 0.4]] as const) acc.add([f(x), f(-x)], f(p));
  const { bands, count } = acc.result();
  assert.equal(bands[0]![0], 2);
  assert.equal(bands[1]![0], -2);
  assert.equal(count[0], 3);
  assert.equal(medianOf([4, 1, 3, 2]), 2.5);
});

test('best observation: lowest probability, ties to the lowest rank', () => {
  const acc = new CompositeAccumulator('best', 1, 2, 0.5);
  acc.add([f(1, 1)], f(0.1, 0.0), 5);
  acc.add([f(2, 2)], f(0.1, 0.3), 1);
  acc.add([f(3, 3)], f(0.2, 0.0), 0);
  const { bands } = acc.result();
  assert.deepEqual([...bands[0]!], [2, 3]);
});

test('masks are matched by autocm stem (probability first), then stem, then date', () => {
  const images = [
    { path: 'a/img_20200101.tif', stem: 'img_20200101', date: new Date('2020-01-01') },
    { path: 'a/img_20200111.tif', stem: 'img_20200111', date: new Date('2020-01-11') },
    { path: 'a/img_20200121.tif', stem: 'img_20200121', date: new Date('2020-01-21') },
    { path: 'a/scene_x.tif', stem: 'scene_x', date: null },
  ];
  const masks = ['m/img_20200101_cloudmask.tif', 'm/img_20200101_cloudprob.tif', 'm/img_20200111_cloudmask.tif', 'm/mask_20200121.tif', 'm/scene_x.tif'];
  const matched = matchMasks(images, masks);
  assert.deepEqual(matched.map((m) => [m.mask, m.by]), [
    ['m/img_20200101_cloudprob.tif', 'stem-probability'],
    ['m/img_20200111_cloudmask.tif', 'stem-mask'],
    ['m/mask_20200121.tif', 'date'],
    ['m/scene_x.tif', 'stem'],
  ]);
  assert.throws(() => matchMasks(images, masks.slice(0, 2)), (e: Error) => /img_20200111\.tif: no mask found/.test(e.message));
  const lenient = matchMasks(images, masks.slice(0, 2), true);
  assert.deepEqual(lenient.map((m) => m.by), ['stem-probability', 'missing', 'missing', 'missing']);
  assert.throws(() => matchMasks([images[2]!], ['m/a_20200121.tif', 'm/b_20200121.tif']), /several masks share the date 20200121/);
});
