import assert from 'node:assert/strict';
import { test } from 'node:test';
import { randomInput, randomModel } from '../helpers/random-model.js';
import { createMaskSession } from '../../src/engine/mask-session.js';

test('a mask session runs batches of several sizes; each image gets the same result alone or in a batch', async () => {
  const session = await createMaskSession(randomModel(5), { threads: 1 });
  try {
    assert.equal(session.bands, 5);
    const [h, w] = [16, 32];
    const a = randomInput(5 * h * w, 1);
    const b = randomInput(5 * h * w, 2);
    const batch = new Float32Array(2 * 5 * h * w);
    batch.set(a);
    batch.set(b, a.length);
    const both = await session.run(batch, 2, h, w);
    assert.equal(both.mask.length, 2 * h * w);
    assert.equal(both.brightness.length, 2 * 5);
    assert.ok(both.mask.every((v) => v >= 0 && v <= 1));
    const alone = await session.run(b, 1, h, w);
    assert.deepEqual(Array.from(alone.mask), Array.from(both.mask.subarray(h * w)));
    assert.deepEqual(Array.from(alone.brightness), Array.from(both.brightness.subarray(5)));
    // Another size (a different cached graph) in the same session.
    const small = await session.run(randomInput(5 * 8 * 24, 3), 1, 8, 24);
    assert.equal(small.mask.length, 8 * 24);
  } finally {
    await session.release();
  }
});

test('dynamic-shape and per-size sessions, one thread or two, agree', async () => {
  const model = randomModel(4);
  const input = randomInput(4 * 24 * 16, 9);
  const results: Float32Array[] = [];
  for (const options of [{ threads: 1 }, { threads: 2 }, { threads: 2, shapes: 'dynamic' as const }]) {
    const session = await createMaskSession(model, options);
    results.push((await session.run(input, 1, 24, 16)).mask);
    await session.release();
  }
  for (const r of results.slice(1)) {
    let max = 0;
    for (let i = 0; i < r.length; i++) max = Math.max(max, Math.abs(r[i]! - results[0]![i]!));
    assert.ok(max < 1e-5, `differs by ${max}`);
  }
});

test('bad sizes, bad thread counts and unsupported execution providers are refused clearly', async () => {
  const model = randomModel(4);
  await assert.rejects(createMaskSession(model, { provider: 'quantum' }), (e: Error) => e.name === 'AutocmError' && /execution provider "quantum" is not supported .*it offers: cpu/.test(e.message));
  await assert.rejects(createMaskSession(model, { threads: 0 }), /threads must be a positive integer/);
  const session = await createMaskSession(model, { threads: 1 });
  try {
    await assert.rejects(session.run(new Float32Array(4 * 20 * 16), 1, 20, 16), /input height 20 is not a positive multiple of 8/);
    await assert.rejects(session.run(new Float32Array(10), 1, 8, 8), /input has 10 values; 1 x 4 bands x 8 x 8 needs 256/);
  } finally {
    await session.release();
  }
});
