import assert from 'node:assert/strict';
import { test } from 'node:test';
import { centredPadOffsets, cropCentred, padCentredNchw, percentileLinear, referenceStretch } from '../../src/model/reference-preprocess.js';

test('percentileLinear reproduces numpy.percentile (linear)', () => {
  // numpy.percentile([1, 2, 3, 4], [2, 50, 98]) -> [1.06, 2.5, 3.94]
  const v = [1, 2, 3, 4];
  assert.ok(Math.abs(percentileLinear(v, 2) - 1.06) < 1e-12);
  assert.equal(percentileLinear(v, 50), 2.5);
  assert.ok(Math.abs(percentileLinear(v, 98) - 3.94) < 1e-12);
  assert.equal(percentileLinear(v, 0), 1);
  assert.equal(percentileLinear(v, 100), 4);
  assert.equal(percentileLinear([7], 98), 7);
  // numpy.percentile(range(101), 2) == 2.0 exactly (virtual index lands on an integer).
  assert.equal(percentileLinear(Array.from({ length: 101 }, (_, i) => i), 2), 2);
  assert.throws(() => percentileLinear([], 50), /empty/);
});

test('referenceStretch takes percentiles over positive values of all bands jointly and clips to [0, 1]', () => {
  const a = Uint16Array.from([0, 10, 20, 30, 40]);
  const b = Uint16Array.from([50, 60, 70, 80, 90]);
  const { lo, hi, count, stretched } = referenceStretch([a, b]);
  // Values > 0: 10..90 (9 values); numpy.percentile(.., 2) = 11.6, (.., 98) = 88.4
  assert.equal(count, 9);
  assert.ok(Math.abs(lo - 11.6) < 1e-9 && Math.abs(hi - 88.4) < 1e-9);
  assert.equal(stretched[0]![0], 0);
  assert.equal(stretched[0]![1], 0); // below lo: clipped
  assert.equal(stretched[1]![4], 1); // above hi: clipped
  assert.equal(stretched[0]![3], Math.fround((30 - lo) / (hi - lo)));
});

test('referenceStretch excludes nodata, survives an image without valid values and a flat image', () => {
  const withNodata = referenceStretch([Float32Array.from([-9999, 1, 2, 3])], -9999);
  assert.equal(withNodata.count, 3);
  assert.equal(withNodata.stretched[0]![0], 0);
  const empty = referenceStretch([Uint16Array.from([0, 0])]);
  assert.deepEqual([empty.count, empty.lo, empty.hi], [0, 0, 0]);
  assert.deepEqual(Array.from(empty.stretched[0]!), [0, 0]);
  const flat = referenceStretch([Uint16Array.from([0, 5, 5])]);
  assert.deepEqual(Array.from(flat.stretched[0]!), [0, 0, 0]);
});

test('centred padding follows resize_with_crop_or_pad and cropping inverts it', () => {
  assert.deepEqual(centredPadOffsets(45, 61), { top: 1, left: 1, height: 48, width: 64 });
  assert.deepEqual(centredPadOffsets(48, 57), { top: 0, left: 3, height: 48, width: 64 });
  const bands = [Float32Array.from({ length: 3 * 5 }, (_, i) => i + 1), Float32Array.from({ length: 3 * 5 }, (_, i) => -(i + 1))];
  const padded = padCentredNchw(bands, 3, 5);
  assert.deepEqual([padded.height, padded.width, padded.top, padded.left], [8, 8, 2, 1]);
  assert.equal(padded.data[2 * 8 + 1], 1);
  assert.equal(padded.data[64 + 2 * 8 + 1], -1);
  assert.equal(padded.data.reduce((s, v) => s + v, 0), 0);
  assert.deepEqual(cropCentred(padded.data.subarray(64), padded, 3, 5), bands[1]);
});
