import assert from 'node:assert/strict';
import { test } from 'node:test';
import { accumulateConfusion, emptyConfusion } from '../../src/evaluate/confusion.js';

test('the shadow class is scored alone: cloud counts as not-shadow, nodata left out', () => {
  //            clear, cloud, shadow, shadow, clear, cloud, nodata
  const ref = Uint8Array.from([0, 1, 2, 2, 0, 1, 255]);
  const pred = Uint8Array.from([2, 2, 2, 0, 0, 1, 2]);
  const shadow = accumulateConfusion(pred, ref, 'shadow', emptyConfusion());
  assert.deepEqual(shadow, { tp: 1, fp: 2, fn: 1, tn: 2 });
  const both = accumulateConfusion(pred, ref, 'cloud-shadow', emptyConfusion());
  assert.deepEqual(both, { tp: 3, fp: 1, fn: 1, tn: 1 });
  const cloud = accumulateConfusion(pred, ref, 'cloud', emptyConfusion());
  assert.deepEqual(cloud, { tp: 1, fp: 0, fn: 1, tn: 4 });
});
