import assert from 'node:assert/strict';
import { test } from 'node:test';
import { randomInput, randomModel } from '../helpers/random-model.js';
import { createMaskSession } from '../../src/engine/mask-session.js';
import { createMaskWorkerPool, TWO_WORKERS_MAX_WIDTH, workerThreadsFor } from '../../src/engine/mask-worker-pool.js';
import { AutocmError } from '../../src/util/errors.js';

test('the worker pool gives each of several concurrent runs the masks one session in this thread gives', async () => {
  const model = randomModel(4);
  const sizes: [number, number][] = [
    [32, 48],
    [16, 16],
    [48, 32],
    [32, 48],
    [24, 40],
  ];
  const inputs = sizes.map(([h, w], i) => randomInput(4 * h * w, i + 1));
  const session = await createMaskSession(model, { threads: 1 });
  const expected: Float32Array[] = [];
  for (const [i, [h, w]] of sizes.entries()) expected.push((await session.run(inputs[i]!, 1, h, w)).mask);
  await session.release();

  const pool = await createMaskWorkerPool(model, { workerThreads: [1, 1] });
  try {
    assert.equal(pool.concurrency, 2);
    // The pool takes the input's buffer: pass copies and keep the originals for the check.
    const masks = await Promise.all(sizes.map(([h, w], i) => pool.run(inputs[i]!.slice(), 1, h, w)));
    masks.forEach(({ mask }, i) => assert.deepEqual(mask, expected[i], `run ${i}`));
    // A view into a larger buffer is copied, not transferred: the larger buffer stays usable.
    const [h, w] = sizes[0]!;
    const larger = new Float32Array(8 + inputs[0]!.length);
    larger.set(inputs[0]!, 8);
    const { mask } = await pool.run(larger.subarray(8), 1, h, w);
    assert.deepEqual(mask, expected[0]);
    assert.equal(larger.length, 8 + inputs[0]!.length);
  } finally {
    await pool.release();
  }
});

test('a run the session refuses fails with its error; the pool goes on; runs after release fail', async () => {
  const pool = await createMaskWorkerPool(randomModel(3), { workerThreads: [1] });
  await assert.rejects(pool.run(new Float32Array(10), 1, 16, 16), (error: Error) => error instanceof AutocmError && /input has 10 values; 1 x 3 bands x 16 x 16 needs 768/.test(error.message));
  const { mask } = await pool.run(randomInput(3 * 16 * 16, 1), 1, 16, 16);
  assert.equal(mask.length, 256);
  await pool.release();
  await assert.rejects(pool.run(randomInput(3 * 16 * 16, 1), 1, 16, 16), /released/);
});

test('threads are split between two inference workers, one for very wide scenes', () => {
  assert.deepEqual(workerThreadsFor(1), [1]);
  assert.deepEqual(workerThreadsFor(2), [1, 1]);
  assert.deepEqual(workerThreadsFor(3), [2, 1]);
  assert.deepEqual(workerThreadsFor(8, TWO_WORKERS_MAX_WIDTH), [4, 4]);
  assert.deepEqual(workerThreadsFor(2, TWO_WORKERS_MAX_WIDTH + 1), [2]);
  assert.throws(() => workerThreadsFor(0), /positive integer/);
});
