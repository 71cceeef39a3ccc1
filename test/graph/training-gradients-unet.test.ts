import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TrainSession } from '../../src/engine/train-session.js';
import { buildUNetPassGraph } from '../../src/graph/training.js';
import { unetLayers, unetSpec } from '../../src/model/description.js';
import { checkGradients, randomPack, report, testParameters, toFloat64 } from './training-gradcheck.js';
import { type BnStat64, type T64, compositeLoss64, t64, unet64 } from './training-reference64.js';

const TOLERANCE = 1e-3;

test('U-Net pass (N=3, 16x16, 4 bands): every parameter gradient matches float64 finite differences', async () => {
  const [k, bands, size] = [3, 4, 16];
  const graph = buildUNetPassGraph({ bands, k, height: size, width: size });
  const params = testParameters(unetLayers(unetSpec(bands)), 11);
  const { x, valid } = randomPack(k, bands, size, 12);
  const session = await TrainSession.create(graph, { threads: 1 });
  const out = await session.run(params, new Map([['x', x], ['valid', valid]]));
  await session.release();
  const spec = unetSpec(bands);
  const x64: T64 = t64([k, bands, size, size], x);
  const valid64 = t64([k, 1, size, size], valid);
  const f = (p: Map<string, Float64Array>) => {
    const { mask, brightness } = unet64(spec, p, x64, []);
    return compositeLoss64(x64, valid64, mask, brightness).loss;
  };
  assert.ok(Math.abs(out.losses.get('loss')! - f(toFloat64(params))) < 1e-5 * f(toFloat64(params)) + 1e-7, 'forward loss');
  const names = graph.parameters.filter((p) => p.trainable).map((p) => p.name);
  const checks = checkGradients(f, params, out.gradients, names, { entries: 1, seed: 13 });
  assert.ok(report('U-Net pass', checks) <= TOLERANCE, JSON.stringify(checks.filter((c) => Math.max(c.directional, c.entries) > TOLERANCE)));

  // Moving statistics: Keras update with the unbiased batch variance.
  const stats: BnStat64[] = [];
  unet64(spec, toFloat64(params), x64, stats);
  for (const s of stats) {
    const mean = out.moving.get(`${s.bn}.moving_mean`)!;
    const variance = out.moving.get(`${s.bn}.moving_variance`)!;
    const oldMean = params.get(`${s.bn}.moving_mean`)!;
    const oldVariance = params.get(`${s.bn}.moving_variance`)!;
    for (let c = 0; c < s.mean.length; c++) {
      assert.ok(Math.abs(mean[c]! - (0.99 * oldMean[c]! + 0.01 * s.mean[c]!)) < 1e-5, `${s.bn} moving mean`);
      const unbiased = (s.variance[c]! * s.count) / (s.count - 1);
      assert.ok(Math.abs(variance[c]! - (0.99 * oldVariance[c]! + 0.01 * unbiased)) < 1e-5 * (1 + unbiased), `${s.bn} moving variance`);
    }
  }
});

