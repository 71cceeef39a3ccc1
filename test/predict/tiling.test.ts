import assert from 'node:assert/strict';
import { test } from 'node:test';
import { axisWeights, axisWeightSums } from '../../src/predict/blend-weights.js';
import { planAxis, planTiles } from '../../src/predict/tile-plan.js';

test('an axis shorter than a tile gets one tile padded to a multiple of 8, centred like the reference', () => {
  assert.deepEqual(planAxis(227, 1024, 64), [{ start: 0, length: 227, size: 232, padBefore: 2 }]);
  assert.deepEqual(planAxis(1024, 1024, 64), [{ start: 0, length: 1024, size: 1024, padBefore: 0 }]);
  assert.deepEqual(planAxis(9, 1024, 64), [{ start: 0, length: 9, size: 16, padBefore: 3 }]);
});

test('a long axis gets tiles on the 8-px grid of the centred canvas, a shorter last tile ending on the edge', () => {
  // 300 px: canvas 304 with 2 px of padding before, 2 after.
  const tiles = planAxis(300, 128, 64);
  assert.deepEqual(
    tiles.map((t) => [t.start, t.length, t.size, t.padBefore]),
    [
      [0, 126, 128, 2],
      [62, 128, 128, 0],
      [126, 128, 128, 0],
      [190, 110, 112, 0],
    ],
  );
  for (const t of tiles) assert.equal((t.start - t.padBefore + 2) % 8, 0, 'canvas position on the 8-px grid');
  // 8192 px in 1024 px tiles with 64 px overlap: 8 full tiles and a 512 px one = 8192 + 8 * 64 px computed.
  const long = planAxis(8192, 1024, 64);
  assert.equal(long.length, 9);
  assert.equal(long.reduce((s, t) => s + t.size, 0), 8192 + 8 * 64);
  for (const n of [257, 1000, 4097, 8192]) {
    const axis = planAxis(n, 256, 64);
    assert.equal(axis[0]!.start, 0);
    assert.equal(axis.at(-1)!.start + axis.at(-1)!.length, n);
    for (const t of axis) assert.ok(t.size % 8 === 0 && t.size <= 256 && t.length <= t.size && t.length > 64);
    for (let i = 1; i < axis.length; i++) assert.ok(axis[i - 1]!.start + axis[i - 1]!.length - axis[i]!.start >= 64, 'overlap >= 64');
  }
  assert.equal(planTiles(1536, 768, 512, 64).count, 4 * 2);
});

test('tile and overlap are validated', () => {
  assert.throws(() => planAxis(100, 100, 10), /multiple of 8/);
  assert.throws(() => planAxis(100, 128, 128), /overlap/);
  assert.throws(() => planAxis(100, 128, 60), /multiple of 8/);
});

test('blend weights: 1 on image edges, a ramp from 0 at tile borders, a positive sum everywhere that equals 1 where ramps cross', () => {
  for (const [n, tile, overlap] of [
    [300, 128, 64],
    [129, 128, 64],
    [1000, 256, 96],
    [5000, 1024, 64],
  ] as const) {
    const tiles = planAxis(n, tile, overlap);
    const weights = axisWeights(tiles, overlap);
    const sums = axisWeightSums(tiles, weights, n);
    assert.equal(weights[0]![0], 1, 'image edge keeps weight 1');
    assert.equal(weights.at(-1)!.at(-1), 1, 'image edge keeps weight 1');
    assert.equal(weights[0]!.at(-1), 0, 'a border facing a neighbour has weight 0');
    for (let i = 0; i < n; i++) assert.ok(sums[i]! > 0.49, `weight sum at ${i} is ${sums[i]}`);
  }
  // Regular spacing: the two ramps add up to exactly 1 across the overlap.
  const tiles = planAxis(128 + 64 * 3, 128, 64);
  const sums = axisWeightSums(tiles, axisWeights(tiles, 64), 320);
  for (let i = 0; i < 320; i++) assert.ok(Math.abs(sums[i]! - 1) < 1e-6, `sum at ${i} is ${sums[i]}`);
});
