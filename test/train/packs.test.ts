import assert from 'node:assert/strict';
import { test } from 'node:test';
import { augmentPlanes } from '../../src/train/augment.js';
import { cropTile, overlapRatio, planCrops } from '../../src/train/crops.js';
import { PackSampler, checkPackSize } from '../../src/train/packs.js';
import { memoryScene } from '../../src/train/scene.js';
import { isAutocmError } from '../../src/util/errors.js';
import { createRandom } from '../../src/util/random.js';

test('crop plan: the reference geometry (crop 200, grid 50, offsets 0..200, tile 400) and small scenes', () => {
  assert.deepEqual(planCrops(200, 400, 50), { crop: 200, tile: 400, offsets: [0, 50, 100, 150, 200] });
  assert.deepEqual(planCrops(48, 61).offsets, [0, 12]);
  assert.equal(planCrops(48, 61).tile, 60);
  assert.equal(overlapRatio(200, 50, 100), (150 * 100) / 40000);
  assert.equal(overlapRatio(200, 200, 0), 0);
});

test('crop and augmentation move pixels as rot90 and flips should', () => {
  // 1 plane 3x3 with values 0..8
  const data = Float32Array.from({ length: 9 }, (_, i) => i);
  assert.deepEqual([...cropTile(data, 1, 3, 2, 1, 1)], [4, 5, 7, 8]);
  // One counter-clockwise quarter turn: the top row becomes the left column read upwards.
  assert.deepEqual([...augmentPlanes(data, 1, 3, { quarterTurns: 1, flipHorizontal: false, flipVertical: false })], [2, 5, 8, 1, 4, 7, 0, 3, 6]);
  assert.deepEqual([...augmentPlanes(data, 1, 3, { quarterTurns: 0, flipHorizontal: true, flipVertical: false })], [2, 1, 0, 5, 4, 3, 8, 7, 6]);
  assert.deepEqual([...augmentPlanes(data, 1, 3, { quarterTurns: 2, flipHorizontal: true, flipVertical: true })], [...data]);
});

function scene(images: number, size: number, nodataEverywhere = false) {
  // Image i has value i + band/10 + pixel/1e4 so that its origin can be recovered.
  const planes = Array.from({ length: images }, (_, i) =>
    Float32Array.from({ length: 2 * size * size }, (_, j) => (nodataEverywhere ? Number.NaN : i + Math.floor(j / (size * size)) / 10 + (j % (size * size)) / 1e4)),
  );
  return memoryScene('mem', planes, 2, size, size);
}

test('samples: consecutive packs, crop2 on the grid with its overlap ratio, the same augmentation on all packs', async () => {
  const plan = planCrops(8, 16, 2);
  const sampler = new PackSampler([scene(9, 16)], 3, plan);
  const sample = await sampler.sample(createRandom(4));
  const first = (name: string) => sample.inputs.get(name)!;
  // Pack p image i carries value start + p*K + i in its integer part.
  for (const [name, pack] of [['p1c1', 0], ['p2c1', 1], ['p3c1', 2], ['p1c2', 0], ['p2c2', 1]] as const) {
    const values = first(name);
    assert.equal(values.length, 3 * 2 * 8 * 8);
    for (let i = 0; i < 3; i++) assert.equal(Math.floor(values[i * 2 * 64]!), sample.start + pack * 3 + i, name);
  }
  assert.ok(plan.offsets.includes(sample.offset.dx) && plan.offsets.includes(sample.offset.dy));
  assert.equal(sample.overlap, overlapRatio(8, sample.offset.dx, sample.offset.dy));
  assert.deepEqual([...sample.inputs.get('similarity_target')!], [sample.overlap, sample.overlap, 0, 0]);
  // Same spatial pattern (fractional part) in every pack's crop1: same window, same augmentation.
  const frac = (v: number) => Math.round((v % 1) * 1e4);
  for (let p = 0; p < 64; p++) assert.equal(frac(first('p1c1')[p]!), frac(first('p3c1')[p]!));
  assert.equal(sample.validFraction, 1);
});

test('too few images: the error says how many are needed and offers a K; all-nodata windows are refused', async () => {
  assert.throws(
    () => checkPackSize([scene(7, 16)], 3, () => {}),
    (e: unknown) => isAutocmError(e) && /7 images; three packs of K=3 need 9.*--k 2/.test(e.message),
  );
  const warnings: string[] = [];
  checkPackSize([scene(9, 16)], 3, (m) => warnings.push(m));
  assert.match(warnings[0]!, /below the method's 10/);
  const sampler = new PackSampler([scene(9, 16, true)], 3, planCrops(8, 16, 2), 0.5, 5);
  await assert.rejects(sampler.sample(createRandom(1)), /mostly nodata/);
});
