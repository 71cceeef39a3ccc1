import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fuseFeatures, stackFeatures, stackProbability } from '../../../src/predict/stack/stack-features.js';
import { stripRowsFor } from '../../../src/predict/stack/stack-pass.js';
import { fallbackStackRule, type StackRule } from '../../../src/predict/stack/stack-rule.js';

const px = (...values: number[]) => values.map((v) => Float32Array.of(v));

test('the residual is against the (1 - p)-weighted composite of the OTHER dates, and positive when brighter', () => {
  // Pixel brightness over 5 dates; date 2 is a bright cloud the network half sees (p 0.4).
  const strip = { brightness: px(0.1, 0.12, 0.5, 0.1, 0.08), probability: px(0, 0, 0.4, 0, 0) };
  const [features] = [stackFeatures(strip, strip.probability, fallbackStackRule, 0.5)];
  const f = features[2]!;
  assert.equal(f.dates[0], 4);
  assert.ok(Math.abs(f.residual[0]! - (0.5 - 0.1)) < 1e-6, `residual ${f.residual[0]}`);
  assert.ok(f.zscore[0]! > 5, `zscore ${f.zscore[0]}`);
  // A clear date darker than the others: no positive evidence.
  assert.equal(features[4]!.residual[0], 0);
});

test('too few valid other dates: the single-image probability is kept and the pixel says 0 dates used', () => {
  const strip = { brightness: px(0.1, Number.NaN, 0.5), probability: px(0.1, Number.NaN, 0.3) };
  const rule: StackRule = { ...fallbackStackRule, bias: 5, minDates: 2 };
  const { probability, dates } = stackProbability(strip, rule, 0.5);
  assert.equal(dates[2]![0], 0);
  assert.ok(Math.abs(probability[2]![0]! - 0.3) < 1e-6);
  assert.ok(Number.isNaN(probability[1]![0]!), 'nodata stays nodata');
});

test('the identity rule returns the single-image probability; a residual coefficient raises a bright date', () => {
  const strip = { brightness: px(0.1, 0.1, 0.4, 0.1), probability: px(0.1, 0.1, 0.3, 0.1) };
  const features = stackFeatures(strip, strip.probability, fallbackStackRule, 0.2);
  const same = fuseFeatures(features, strip.probability, fallbackStackRule, 0.2);
  for (let t = 0; t < 4; t++) assert.ok(Math.abs(same[t]![0]! - strip.probability[t]![0]!) < 1e-4);
  const raised = fuseFeatures(features, strip.probability, { ...fallbackStackRule, zscore: 1 }, 0.2);
  assert.ok(raised[2]![0]! > 0.9, `stack p ${raised[2]![0]}`);
  assert.ok(Math.abs(raised[0]![0]! - 0.1) < 1e-3, 'a date no brighter than the others keeps its probability');
});

test('strip height follows the memory budget: 100 dates of 10980 px get short strips, small stacks whole tiles', () => {
  assert.equal(stripRowsFor(10980, 100, 256 * 2 ** 20), 8);
  assert.equal(stripRowsFor(4096, 20, 256 * 2 ** 20), 109);
  assert.equal(stripRowsFor(256, 12, 256 * 2 ** 20), 512);
});
