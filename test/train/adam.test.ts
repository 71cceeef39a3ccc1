import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KERAS_ADAM, adamStep, createAdamState } from '../../src/engine/adam.js';

test('Adam follows the Keras update (bias-corrected learning rate, epsilon outside the root)', () => {
  const params = new Map([['w', Float32Array.from([1, -2])]]);
  const state = createAdamState([['w', 2]]);
  const options = { learningRate: 0.1, ...KERAS_ADAM };
  const grads = [Float32Array.from([0.5, -1]), Float32Array.from([0.25, 2])];
  // Reference in float64.
  const w = [1, -2];
  const m = [0, 0];
  const v = [0, 0];
  grads.forEach((g, t) => {
    adamStep(options, state, params, new Map([['w', g]]));
    const lrT = (0.1 * Math.sqrt(1 - 0.999 ** (t + 1))) / (1 - 0.9 ** (t + 1));
    for (let i = 0; i < 2; i++) {
      m[i] = 0.9 * m[i]! + 0.1 * g[i]!;
      v[i] = 0.999 * v[i]! + 0.001 * g[i]! ** 2;
      w[i] = w[i]! - (lrT * m[i]!) / (Math.sqrt(v[i]!) + 1e-7);
    }
  });
  assert.equal(state.t, 2);
  for (let i = 0; i < 2; i++) assert.ok(Math.abs(params.get('w')![i]! - w[i]!) < 1e-6);
});
