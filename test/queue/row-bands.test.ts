import assert from 'node:assert/strict';
import { test } from 'node:test';
import { planAxis } from '../../src/predict/tile-plan.js';
import { planRowBands } from '../../src/queue/row-bands.js';

test('planRowBands: bands cover every row once and start on tile starts', () => {
  for (const [height, tile, overlap, perBand] of [
    [5000, 512, 64, 2],
    [5000, 512, 64, 1],
    [1000, 512, 64, 4],
    [10980, 1024, 64, 3],
    [300, 512, 64, 1],
  ] as const) {
    const bands = planRowBands(height, tile, overlap, perBand);
    const starts = new Set(planAxis(height, tile, overlap).map((t) => t.start));
    assert.equal(bands[0]!.start, 0);
    assert.equal(bands[bands.length - 1]!.end, height);
    for (let i = 1; i < bands.length; i++) {
      assert.equal(bands[i]!.start, bands[i - 1]!.end);
      assert.ok(starts.has(bands[i]!.start), `band start ${bands[i]!.start} is a tile start`);
    }
    const tiles = planAxis(height, tile, overlap).length;
    assert.equal(bands.length, Math.ceil(tiles / perBand));
  }
  // 5000 rows, tile 512, overlap 64: tiles start at 0, 448, ..., 4032, 4488 (last shifted inward).
  assert.deepEqual(planRowBands(5000, 512, 64, 4), [
    { start: 0, end: 1792 },
    { start: 1792, end: 3584 },
    { start: 3584, end: 5000 },
  ]);
});
