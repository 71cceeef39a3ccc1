import assert from 'node:assert/strict';
import { test } from 'node:test';
import { accumulateConfusion, emptyConfusion } from '../../src/evaluate/confusion.js';
import { edgeIgnoreMask } from '../../src/evaluate/edge-tolerance.js';
import { metricsFromConfusion } from '../../src/evaluate/metrics.js';
import { pairFiles } from '../../src/evaluate/pairing.js';
import { accumulateSweep, emptySweep, sweepResult } from '../../src/evaluate/threshold-sweep.js';

const N = 255;

test('confusion counts skip nodata on either side; cloud+shadow merges the classes', () => {
  const pred = Uint8Array.from([1, 1, 0, 0, 2, 1, N, 0]);
  const ref = Uint8Array.from([1, 0, 1, 0, 2, N, 1, 2]);
  assert.deepEqual(accumulateConfusion(pred, ref, 'cloud', emptyConfusion()), { tp: 1, fp: 1, fn: 1, tn: 3 });
  assert.deepEqual(accumulateConfusion(pred, ref, 'cloud-shadow', emptyConfusion()), { tp: 2, fp: 1, fn: 2, tn: 1 });
});

test('metrics from a confusion table', () => {
  const m = metricsFromConfusion({ tp: 30, fp: 10, fn: 20, tn: 40 });
  assert.equal(m.precision, 0.75);
  assert.equal(m.recall, 0.6);
  assert.equal(m.f1, 60 / 90);
  assert.equal(m.iou, 0.5);
  assert.equal(m.overallAccuracy, 0.7);
  assert.equal(m.balancedAccuracy, (0.6 + 0.8) / 2);
  assert.deepEqual(m.undefinedReasons, {});
});

test('undefined metrics are null with a reason, never 0 or NaN', () => {
  const noCloud = metricsFromConfusion({ tp: 0, fp: 5, fn: 0, tn: 95 });
  assert.equal(noCloud.recall, null);
  assert.equal(noCloud.f1, null);
  assert.equal(noCloud.iou, null);
  assert.equal(noCloud.balancedAccuracy, null);
  assert.equal(noCloud.precision, 0);
  assert.equal(noCloud.overallAccuracy, 0.95);
  assert.equal(noCloud.undefinedReasons.f1, 'no cloud in reference');
  const allCloud = metricsFromConfusion({ tp: 10, fp: 0, fn: 0, tn: 0 });
  assert.equal(allCloud.balancedAccuracy, null);
  assert.equal(allCloud.undefinedReasons.balancedAccuracy, 'no clear pixels in reference');
  const nothingPredicted = metricsFromConfusion({ tp: 0, fp: 0, fn: 4, tn: 4 });
  assert.equal(nothingPredicted.precision, null);
  assert.equal(nothingPredicted.undefinedReasons.precision, 'no cloud predicted');
  assert.equal(nothingPredicted.f1, 0);
  const empty = metricsFromConfusion(emptyConfusion());
  assert.equal(empty.overallAccuracy, null);
  assert.equal(empty.undefinedReasons.overallAccuracy, 'no valid pixels');
});

test('edge tolerance ignores pixels within N of a reference cloud edge', () => {
  // 1 row x 8: clear clear clear cloud cloud cloud clear nodata
  const ref = Uint8Array.from([0, 0, 0, 1, 1, 1, 0, N]);
  assert.deepEqual([...edgeIgnoreMask(ref, 8, 1, 0, 0, 1, 'cloud')], [0, 0, 1, 1, 0, 1, 1, 0]);
  assert.deepEqual([...edgeIgnoreMask(ref, 8, 1, 0, 0, 0, 'cloud')], [0, 0, 0, 0, 0, 0, 0, 0]);
  // Halo rows give context but are not part of the result: 3 rows, core is the middle one.
  const rows = Uint8Array.from([1, 1, 1, 0, 0, 0, 0, 0, 0]);
  assert.deepEqual([...edgeIgnoreMask(rows, 3, 3, 1, 1, 1, 'cloud')], [1, 1, 1]);
  assert.deepEqual([...edgeIgnoreMask(rows.subarray(3), 3, 2, 0, 1, 1, 'cloud')], [0, 0, 0]);
});

test('threshold sweep gives PR points and the best-F1 threshold', () => {
  const p = Float32Array.from([0.9, 0.8, 0.3, 0.6, 0.1, 0.2, Number.NaN]);
  const ref = Uint8Array.from([1, 1, 1, 0, 0, 0, 1]);
  const result = sweepResult(accumulateSweep(p, ref, 'cloud', emptySweep()));
  assert.equal(result.points.length, 101);
  assert.deepEqual(result.points[0], { threshold: 0, precision: 0.5, recall: 1, f1: 2 / 3 });
  // At 0.3 all three clouds and one false positive: F1 = 6 / 7, the best.
  assert.equal(result.best!.threshold, 0.21);
  assert.equal(result.best!.f1, 6 / 7);
  assert.equal(result.points[100]!.precision, null);
  const none = sweepResult(accumulateSweep(p, Uint8Array.from([0, 0, 0, 0, 0, 0, 0]), 'cloud', emptySweep()));
  assert.equal(none.best, null);
  assert.equal(none.undefinedReason, 'no cloud in reference');
});

test('pairing by stem, by date, and by order', () => {
  const preds = ['p/img_20080427_LE7_cloudmask.tif', 'p/img_20080419_LT5_cloudmask.tif'];
  const byStem = pairFiles(preds, ['r/mask_20080419_LT5.tif', 'r/mask_20080427_LE7.tif']);
  assert.deepEqual(byStem.map((p) => [p.reference, p.by]), [['r/mask_20080427_LE7.tif', 'stem'], ['r/mask_20080419_LT5.tif', 'stem']]);
  const byDate = pairFiles(preds, ['r/LE07_2008-04-27_QA_PIXEL.tif', 'r/LT05_20080419_QA_PIXEL.tif']);
  assert.deepEqual(byDate.map((p) => [p.reference, p.by]), [['r/LE07_2008-04-27_QA_PIXEL.tif', 'date'], ['r/LT05_20080419_QA_PIXEL.tif', 'date']]);
  const byOrder = pairFiles(['a.tif', 'b.tif'], ['x.tif', 'y.tif']);
  assert.deepEqual(byOrder.map((p) => p.by), ['order', 'order']);
  assert.throws(() => pairFiles(['a.tif'], ['x.tif', 'y.tif']), /cannot pair/);
  // Dates in both names that disagree: never paired by order silently, only with --pair order.
  const [march1, march15] = [['p/img_20230301_cloudmask.tif'], ['r/truth_2023-03-15.tif']];
  assert.throws(() => pairFiles(march1, march15), /pairing by order would score img_20230301_cloudmask \(20230301\) against truth_2023-03-15 \(20230315\): the dates disagree.*--pair order/);
  assert.deepEqual(pairFiles(march1, march15, 'order').map((p) => [p.reference, p.by]), [['r/truth_2023-03-15.tif', 'order']]);
  assert.deepEqual(pairFiles(march1, ['r/truth.tif']).map((p) => p.by), ['order']);
});
