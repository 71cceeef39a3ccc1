import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sampleWindows } from '../../src/predict/image-stretch.js';
import { ValueSample } from '../../src/predict/value-sample.js';

// Oracles printed by numpy 2.4: i = np.arange(10007); v = (i*7919) % 3001; np.percentile(v[v>0], (2, 98, 37.3))
// and j = np.arange(999); w = ((j*104729) % 9973) / 99.73; np.percentile(w[w>0], (2, 98, 37.3)).
test('percentiles equal numpy linear percentiles, histogram path (uint16) and list path (float32)', () => {
  const v = new Uint16Array(10007).map((_, i) => (i * 7919) % 3001);
  const integers = new ValueSample('uint16', null);
  integers.add(v.subarray(0, 5000));
  integers.add(v.subarray(5000));
  assert.deepEqual(integers.percentiles([2, 98, 37.3]), [61.0, 2940.959999999999, 1120.0]);
  const asFloat = new ValueSample('float64', null);
  asFloat.add(Float64Array.from(v));
  assert.deepEqual(asFloat.percentiles([2, 98, 37.3]), [61.0, 2940.959999999999, 1120.0]);

  const w = new Float64Array(999).map((_, j) => ((j * 104729) % 9973) / 99.73);
  const floats = new ValueSample('float64', null);
  floats.add(w);
  const [lo, hi, mid] = floats.percentiles([2, 98, 37.3])!;
  assert.ok(Math.abs(lo! - 1.7409004311641434) < 1e-12);
  assert.ok(Math.abs(hi! - 97.27704802968012) < 1e-12);
  assert.ok(Math.abs(mid! - 34.06341121026772) < 1e-12);
});

test('zeros, the nodata value, NaN and infinities are left out; nothing valid gives null', () => {
  const sample = new ValueSample('float32', -9999);
  sample.add(Float32Array.from([0, -9999, NaN, Infinity, -Infinity, -3, 5, 7]));
  assert.equal(sample.count, 2);
  assert.deepEqual(sample.percentiles([0, 100]), [5, 7]);
  const nodata = new ValueSample('uint16', 7);
  nodata.add(Uint16Array.from([0, 7, 7, 9]));
  assert.deepEqual(nodata.percentiles([50]), [9]);
  const empty = new ValueSample('uint16', null);
  empty.add(new Uint16Array(10));
  assert.equal(empty.percentiles([2, 98]), null);
});

test('sample windows are spread evenly, inside the image, touching both edges', () => {
  const windows = sampleWindows(20000, 10000, 256, 4 * 1024 * 1024);
  assert.equal(windows.length, 64);
  assert.deepEqual(windows[0], { x: 0, y: 0, width: 256, height: 256 });
  assert.deepEqual(windows.at(-1), { x: 20000 - 256, y: 10000 - 256, width: 256, height: 256 });
  assert.deepEqual(sampleWindows(100, 50, 256, 1e6), [{ x: 0, y: 0, width: 100, height: 50 }]);
});
