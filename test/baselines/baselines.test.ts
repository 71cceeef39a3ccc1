import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ReflectanceStrip } from '../../src/baselines/baseline-types.js';
import { fitClearSkyLine, hotBaseline, saturationLevel } from '../../src/baselines/hot.js';
import { kMeans } from '../../src/baselines/kmeans.js';
import { kmeansBaseline, localFeatures } from '../../src/baselines/kmeans-baseline.js';
import { boxMeanStd } from '../../src/baselines/local-stats.js';
import { thresholdBaseline } from '../../src/baselines/threshold.js';
import { temporalMadScores } from '../../src/baselines/temporal-mad.js';

const strip = (bands: number[][], width: number, haloTop = 0, haloBottom = 0): ReflectanceStrip => ({
  width,
  rows: bands[0]!.length / width,
  haloTop,
  haloBottom,
  bands: bands.map((b) => Float32Array.from(b)),
});

test('threshold: mean visible reflectance against 0.3, score 0.5 at the threshold, NaN nodata', () => {
  const b = thresholdBaseline(['blue', 'green', 'red', 'nir']);
  const s = b.score(strip([[0.1, 0.3, 0.5, Number.NaN], [0.1, 0.3, 0.5, 0.2], [0.1, 0.3, 0.5, 0.2], [0.9, 0.9, 0.9, 0.9]], 4));
  assert.deepEqual([...s.classes], [0, 1, 1, 255]);
  assert.deepEqual([...s.probability].slice(0, 3).map((p) => +p.toFixed(3)), [0, 0.5, 1]);
  // No visible band: every band is averaged.
  const swir = thresholdBaseline(['nir', 'swir1']);
  assert.deepEqual(swir.fitted.bands, ['nir', 'swir1']);
});

test('HOT: clear-sky line recovered from synthetic clear pixels; haze scores, saturation is cloud', async () => {
  const n = 4000;
  const blue = new Float32Array(n);
  const red = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    blue[i] = 0.03 + (0.15 * i) / n;
    red[i] = -0.02 + 1.5 * blue[i]! - ((i * 7919) % 100) * 1e-4; // clear line with scatter below it
  }
  const line = fitClearSkyLine(blue, red);
  assert.ok(Math.abs(line.slope - 1.5) < 0.05, `slope ${line.slope}`);
  assert.ok(Math.abs(line.intercept - -0.02) < 0.01, `intercept ${line.intercept}`);
  const sampled = hotBaseline(['blue', 'green', 'red'], 'x.tif');
  const fitted = await sampled.fit([blue, red]);
  // A hazy pixel: blue raised by 0.15 at red unchanged; a clear one on the line.
  const s = fitted.score(strip([[0.1, 0.25, 0.1], [0, 0, 0], [-0.02 + 0.15, -0.02 + 0.15, -0.02 + 0.15]], 3));
  assert.deepEqual([...s.classes], [0, 1, 0]);
  assert.equal(saturationLevel(Float32Array.from([0.1, 0.39, 0.39, 0.2])), Math.fround(0.39));
  assert.equal(saturationLevel(Float32Array.from({ length: 1000 }, (_, i) => i / 1000)), null);
  assert.throws(() => hotBaseline(['red', 'nir'], 'y.tif'), /y\.tif: the hot baseline needs a blue band; the image has red, nir/);
});

test('k-means with k-means++ seeding separates three blobs and is reproducible', () => {
  const points = new Float32Array(300 * 2);
  const centres = [[0, 0], [5, 5], [0, 8]];
  for (let i = 0; i < 300; i++) {
    const c = centres[i % 3]!;
    points[i * 2] = c[0]! + ((i * 37) % 11) / 20;
    points[i * 2 + 1] = c[1]! + ((i * 53) % 13) / 20;
  }
  const a = kMeans(points, 2, 3, 7);
  const b = kMeans(points, 2, 3, 7);
  assert.deepEqual(a.labels, b.labels);
  for (let i = 3; i < 300; i++) assert.equal(a.labels[i], a.labels[i % 3], `point ${i} with its blob`);
  assert.equal(new Set(a.labels).size, 3);
});

test('5 x 5 local mean and std skip nodata and clip at the borders', () => {
  const band = Float32Array.from([1, 2, 3, Number.NaN, 5, 6]);
  const { mean, std } = boxMeanStd(band, 3, 2, 1);
  assert.equal(mean[0], Math.fround((1 + 2 + 5) / 3));
  assert.ok(Math.abs(mean[4]! - (1 + 2 + 3 + 5 + 6) / 5) < 1e-6);
  assert.ok(std[0]! > 0);
});

test('kmeans: bright textured clusters are cloud, dark ones clear; features carry local statistics', async () => {
  // 20 x 20: left half dark land (0.05), right half bright cloud (0.6), light noise.
  const w = 20;
  const bands = [0, 1, 2].map((b) => Array.from({ length: w * w }, (_, i) => (i % w < 10 ? 0.05 : 0.6) + (((i * 31 + b * 7) % 17) - 8) * 0.002));
  const s = strip(bands, w);
  const features = localFeatures(s);
  assert.equal(features.length, 9);
  const baseline = kmeansBaseline(['blue', 'green', 'red'], 'x.tif', { k: 4 });
  const fitted = await baseline.fit(features);
  const scores = fitted.score(s);
  for (let i = 0; i < w * w; i++) assert.equal(scores.classes[i], i % w < 10 ? 0 : 1, `pixel ${i}`);
  assert.ok(scores.probability.every((p, i) => (i % w < 10 ? p < 0.5 : p >= 0.5)));
});

test('temporal-mad: a date far above the temporal median is cloud, far below in NIR is shadow', () => {
  // 1 pixel, 7 dates; [red, nir] per date.
  const red = [0.05, 0.06, 0.05, 0.4, 0.055, 0.05, 0.06];
  const nir = [0.3, 0.31, 0.3, 0.5, 0.05, 0.29, Number.NaN];
  const dates = red.map((r, t) => [Float32Array.of(r), Float32Array.of(nir[t]!)]);
  const scores = temporalMadScores(dates, ['red', 'nir'], 'stack');
  assert.deepEqual(scores.map((s) => s.classes[0]), [0, 0, 0, 1, 2, 0, 255]);
  assert.equal(scores[3]!.probability[0], 1);
  assert.throws(() => temporalMadScores(dates.slice(0, 2), ['red', 'nir'], 'stack'), /stack: the temporal-mad baseline needs a stack of at least 3 dates/);
});
