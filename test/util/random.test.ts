import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRandom } from '../../src/util/random.js';

test('createRandom: same seed same sequence, different seeds (also beyond 32 bits) differ', () => {
  const draw = (seed: number) => {
    const random = createRandom(seed);
    return Array.from({ length: 8 }, () => random.next());
  };
  assert.deepEqual(draw(42), draw(42));
  assert.notDeepEqual(draw(42), draw(43));
  assert.notDeepEqual(draw(5 * 1_048_576 + 1), draw(5 * 1_048_576 + 2));
  assert.notDeepEqual(draw(2 ** 32 + 7), draw(7));
  assert.throws(() => createRandom(Number.NaN), /finite/);
});

test('createRandom: next in [0, 1) and uniform, int(n) in [0, n) hitting every value, normal ~ N(0, 1)', () => {
  const random = createRandom(1);
  const n = 100_000;
  let sum = 0;
  const bins = new Array<number>(10).fill(0);
  for (let i = 0; i < n; i += 1) {
    const v = random.next();
    assert.ok(v >= 0 && v < 1);
    sum += v;
    bins[Math.floor(v * 10)] += 1;
  }
  assert.ok(Math.abs(sum / n - 0.5) < 0.01);
  for (const count of bins) assert.ok(Math.abs(count - n / 10) < n / 100, `bin count ${count}`);
  const seen = new Set<number>();
  for (let i = 0; i < 1000; i += 1) {
    const k = random.int(7);
    assert.ok(Number.isInteger(k) && k >= 0 && k < 7);
    seen.add(k);
  }
  assert.equal(seen.size, 7);
  assert.throws(() => random.int(0), /n >= 1/);
  let mean = 0;
  let square = 0;
  for (let i = 0; i < n; i += 1) {
    const z = random.normal();
    mean += z;
    square += z * z;
  }
  mean /= n;
  assert.ok(Math.abs(mean) < 0.02, `mean ${mean}`);
  assert.ok(Math.abs(square / n - mean * mean - 1) < 0.03, `variance ${square / n}`);
});
