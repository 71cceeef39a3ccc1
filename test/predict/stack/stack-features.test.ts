import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fuseFeatures, stackFeatures, stackProbability } from '../../../src/predict/stack/stack-features.js';
import { stripRowsFor } from '../../../src/predict/stack/stack-pass.js';
import { fallbackStackRule, type StackRule } from '../../../src/predict/stack/stack-rule.js';
import { addAgreement, agreementOf, noAgreementCounts, outlierRatios } from '../../../src/predict/stack/temporal-outlier.js';

const px = (...values: number[]) => values.map((v) => Float32Array.of(v));
/** The outlier test's band taken equal to the mean brightness (one-band images). */
const withSensitive = (s: { brightness: Float32Array[]; probability: Float32Array[] }) => ({ ...s, sensitive: s.brightness });

test('the residual is against the (1 - p)-weighted composite of the OTHER dates, and positive when brighter', () => {
  // Pixel brightness over 5 dates; date 2 is a bright cloud the network half sees (p 0.4).
  const strip = withSensitive({ brightness: px(0.1, 0.12, 0.5, 0.1, 0.08), probability: px(0, 0, 0.4, 0, 0) });
  const [features] = [stackFeatures(strip, strip.probability, fallbackStackRule, 0.5)];
  const f = features[2]!;
  assert.equal(f.dates[0], 4);
  assert.ok(Math.abs(f.residual[0]! - (0.5 - 0.1)) < 1e-6, `residual ${f.residual[0]}`);
  assert.ok(f.zscore[0]! > 5, `zscore ${f.zscore[0]}`);
  // A clear date darker than the others: no positive evidence.
  assert.equal(features[4]!.residual[0], 0);
});

test('too few valid other dates: the single-image probability is kept and the pixel says 0 dates used', () => {
  const strip = withSensitive({ brightness: px(0.1, Number.NaN, 0.5), probability: px(0.1, Number.NaN, 0.3) });
  const rule: StackRule = { ...fallbackStackRule, bias: 5, minDates: 2 };
  const { probability, dates } = stackProbability(strip, rule, 0.5);
  assert.equal(dates[2]![0], 0);
  assert.ok(Math.abs(probability[2]![0]! - 0.3) < 1e-6);
  assert.ok(Number.isNaN(probability[1]![0]!), 'nodata stays nodata');
});

test('the identity rule returns the single-image probability; a residual coefficient raises a bright date', () => {
  const strip = withSensitive({ brightness: px(0.1, 0.1, 0.4, 0.1), probability: px(0.1, 0.1, 0.3, 0.1) });
  const features = stackFeatures(strip, strip.probability, fallbackStackRule, 0.2);
  const same = fuseFeatures(features, strip.probability, fallbackStackRule, 0.2);
  for (let t = 0; t < 4; t++) assert.ok(Math.abs(same[t]![0]! - strip.probability[t]![0]!) < 1e-4);
  const raised = fuseFeatures(features, strip.probability, { ...fallbackStackRule, zscore: 1 }, 0.2);
  assert.ok(raised[2]![0]! > 0.9, `stack p ${raised[2]![0]}`);
  assert.ok(Math.abs(raised[0]![0]! - 0.1) < 1e-3, 'a date no brighter than the others keeps its probability');
});

test('strip height follows the memory budget: 100 dates of 10980 px get short strips, small stacks whole tiles', () => {
  assert.equal(stripRowsFor(10980, 100, 256 * 2 ** 20), 8);
  assert.equal(stripRowsFor(4096, 20, 256 * 2 ** 20), 86);
  assert.equal(stripRowsFor(256, 12, 256 * 2 ** 20), 512);
  // The long-series test holds 4 more floats per pixel and date: 54 bytes instead of 38.
  assert.equal(stripRowsFor(4096, 20, 256 * 2 ** 20, true), 60);
});

test('the outlier ratio is temporal-mad\'s test: >= 1 exactly where the date departs from the median by 3 x 1.4826 x MAD (or 0.04)', () => {
  // Series 0.10, 0.11, 0.12, 0.13, 0.30: median 0.12, MAD 0.01 -> limit max(0.0445, 0.04) = 0.0445.
  const [ratios] = [outlierRatios(px(0.1, 0.11, 0.12, 0.13, 0.3), () => true, { k: 3, floor: 0.04 })];
  assert.ok(Math.abs(ratios[4]![0]! - (0.3 - 0.12) / (3 * 1.4826 * 0.01)) < 1e-4, `ratio ${ratios[4]![0]}`);
  assert.ok(Math.abs(ratios[0]![0]! - (0.1 - 0.12) / (3 * 1.4826 * 0.01)) < 1e-4);
  // Fewer than 3 valid dates: undefined.
  assert.ok(Number.isNaN(outlierRatios(px(0.1, 0.5), () => true, { k: 3, floor: 0.04 })[1]![0]!));
});

test('agreement is the Dice overlap of network and outlier cloud over the stack', () => {
  const counts = noAgreementCounts();
  addAgreement(counts, Float32Array.of(1, 1, -1, -1, Number.NaN), Float32Array.of(2, 0, 2, 0, 5));
  assert.deepEqual(counts, { network: 2, outlier: 2, both: 1 });
  assert.equal(agreementOf(counts), 0.5);
});

test('trusted outliers add the thin cloud the network half sees; untrusted, the logistic rule alone decides', () => {
  // Date 2 is a bright outlier (ratio >> 1) that the network gives p 0.2 (z below 0 but above the floor -3).
  const strip = withSensitive({ brightness: px(0.1, 0.11, 0.3, 0.12, 0.1), probability: px(0.01, 0.01, 0.2, 0.01, 0.01) });
  const rule = { ...fallbackStackRule, agreementGate: 0.5 };
  assert.ok(stackProbability(strip, rule, 0.5, false).probability[2]![0]! < 0.5, 'untrusted: the network decides');
  assert.ok(stackProbability(strip, rule, 0.5, true).probability[2]![0]! >= 0.5, 'trusted: the outlier counts');
  // A network cloud that is a mild outlier survives a rule that would remove it by its bias.
  const cloudy = withSensitive({ brightness: px(0.1, 0.11, 0.14, 0.12, 0.1), probability: px(0.01, 0.01, 0.9, 0.01, 0.01) });
  const harsh = { ...rule, bias: -10 };
  assert.ok(stackProbability(cloudy, harsh, 0.5, false).probability[2]![0]! < 0.5);
  assert.ok(Math.abs(stackProbability(cloudy, harsh, 0.5, true).probability[2]![0]! - 0.9) < 1e-4, 'confirmed: the single-image probability stands');
  // A date the network calls clear with conviction (z < -3) stays clear however bright.
  const sure = withSensitive({ brightness: px(0.1, 0.11, 0.3, 0.12, 0.1), probability: px(0.01, 0.01, 0.01, 0.01, 0.01) });
  assert.ok(stackProbability(sure, rule, 0.5, true).probability[2]![0]! < 0.5);
});
