import assert from 'node:assert/strict';
import { test } from 'node:test';
import { stretchNormalisation } from '../../src/predict/normalisation.js';
import { predictScene, type MaskRunner } from '../../src/predict/scene-predictor.js';
import { planTiles } from '../../src/predict/tile-plan.js';
import { memoryWriter } from '../helpers/memory-writer.js';
import { memoryRaster } from '../helpers/memory-raster.js';

/** A per-pixel "network" (probability = mean of the input bands): tiling must not change it at all. */
const pointwise: MaskRunner = {
  async run(input, n, h, w) {
    const plane = h * w;
    const bandsPerImage = input.length / (n * plane);
    const mask = new Float32Array(n * plane);
    for (let i = 0; i < plane; i++) {
      let s = 0;
      for (let b = 0; b < bandsPerImage; b++) s += input[b * plane + i]!;
      mask[i] = s / bandsPerImage;
    }
    return { mask };
  },
};

function scene(width: number, height: number): Uint16Array[] {
  return [0, 1, 2].map((b) => new Uint16Array(width * height).map((_, i) => ((i % width) * 7 + Math.floor(i / width) * 13 + b * 101) % 1000));
}

async function run(width: number, height: number, bands: Uint16Array[], nodata: number | null, tile: number, overlap: number, buffer = 0, readChunkRows?: number) {
  const probability = memoryWriter(width, height, (n) => new Uint8Array(n));
  const mask = memoryWriter(width, height, (n) => new Uint8Array(n));
  const tiles: number[] = [];
  const statistics = await predictScene(memoryRaster(width, height, bands, nodata, { blockWidth: width, blockHeight: 7 }), pointwise, { probability, mask }, {
    bands: [0, 1, 2],
    normalisation: stretchNormalisation(3, 0, 1000, 'test'),
    tile,
    overlap,
    threshold: 0.4567, // no pixel lies exactly on it, so float rounding cannot flip one
    buffer,
    probabilityFormat: 'uint8',
    onTile: (done) => tiles.push(done),
    readChunkRows,
  });
  assert.ok(probability.written.every((v) => v === 1) && mask.written.every((v) => v === 1), 'every pixel written');
  assert.deepEqual(tiles, Array.from({ length: statistics.tiles }, (_, i) => i + 1));
  return { probability: probability.image, mask: mask.image, statistics };
}

test('tiled and whole prediction agree exactly for a per-pixel operator (blend weights normalise to 1), on odd sizes', async () => {
  const width = 301;
  const height = 203;
  const bands = scene(width, height);
  const whole = await run(width, height, bands, null, 512, 64);
  assert.equal(whole.statistics.tiles, 1);
  for (const [tile, overlap, chunkRows] of [
    [128, 64, 13],
    [96, 72, undefined],
    [200, 64, 50],
  ] as const) {
    const tiled = await run(width, height, bands, null, tile, overlap, 0, chunkRows);
    assert.ok(tiled.statistics.tiles >= 4);
    let maxDifference = 0;
    for (let i = 0; i < whole.probability.length; i++) maxDifference = Math.max(maxDifference, Math.abs(whole.probability[i]! - tiled.probability[i]!));
    assert.ok(maxDifference <= 1, `tile ${tile}: max difference ${maxDifference} percent (rounding only)`);
    assert.deepEqual(tiled.statistics.cloudPixels, whole.statistics.cloudPixels);
  }
  // The operator's value is known: probability = mean of the three bands / 1000.
  const i = 57 * width + 123;
  const expected = Math.round(((bands[0]![i]! + bands[1]![i]! + bands[2]![i]!) / 3000) * 100);
  assert.equal(whole.probability[i], expected);
});

test('nodata pixels (all bands equal to nodata) stay nodata in both outputs, and a buffer never spreads into them', async () => {
  const width = 150;
  const height = 140;
  const bands = scene(width, height);
  for (const band of bands) for (let r = 30; r < 60; r++) band.fill(0, r * width + 10, r * width + 90);
  bands[0]![5] = 0; // one band only: still valid
  const result = await run(width, height, bands, 0, 64, 32, 3);
  assert.equal(result.statistics.nodataPixels, 30 * 80);
  for (let r = 30; r < 60; r++)
    for (let c = 10; c < 90; c++) {
      assert.equal(result.probability[r * width + c], 255);
      assert.equal(result.mask[r * width + c], 255);
    }
  assert.notEqual(result.probability[5], 255);
});

test('an all-nodata scene gives all-nodata outputs', async () => {
  const width = 40;
  const height = 33;
  const bands = [0, 1, 2].map(() => new Uint16Array(width * height));
  const result = await run(width, height, bands, 0, 1024, 64);
  assert.ok(result.probability.every((v) => v === 255));
  assert.ok(result.mask.every((v) => v === 255));
  assert.equal(result.statistics.nodataPixels, width * height);
  assert.equal(result.statistics.cloudPixels, 0);
});

test('the runner gets each tile\'s plan coordinates, and lastTileRow stops after that tile row with its rows written', async () => {
  const [width, height, tile, overlap] = [150, 140, 64, 32];
  const bands = scene(width, height);
  const plan = planTiles(width, height, tile, overlap);
  assert.ok(plan.rows.length >= 4 && plan.columns.length >= 3);
  const seen: string[] = [];
  const recording: MaskRunner = { run: (input, n, h, w, at) => (seen.push(`${at.row},${at.column}`), pointwise.run(input, n, h, w, at)) };
  const probability = memoryWriter(width, height, (n) => new Uint8Array(n));
  const mask = memoryWriter(width, height, (n) => new Uint8Array(n));
  await predictScene(memoryRaster(width, height, bands, null, { blockWidth: width, blockHeight: 7 }), recording, { probability, mask }, {
    bands: [0, 1, 2], normalisation: stretchNormalisation(3, 0, 1000, 'test'), tile, overlap, threshold: 0.4567, buffer: 0, probabilityFormat: 'uint8', lastTileRow: 1,
  });
  const expected = [0, 1].flatMap((r) => plan.columns.map((_, c) => `${r},${c}`));
  assert.deepEqual(seen, expected);
  // Rows above the third tile row's start are final and written; none below.
  const finalRows = plan.rows[2]!.start;
  for (let y = 0; y < height; y++) assert.equal(probability.written[y * width + 7], y < finalRows ? 1 : 0, `row ${y}`);
  const whole = await run(width, height, bands, null, tile, overlap);
  assert.deepEqual(probability.image.subarray(0, finalRows * width), whole.probability.subarray(0, finalRows * width));
});

/** A "network" whose output depends on the tile (a horizontal mean clamped at tile edges), so blending matters. */
const tileDependent: MaskRunner = {
  async run(input, n, h, w) {
    const mask = new Float32Array(n * h * w);
    for (let r = 0; r < h; r++)
      for (let c = 0; c < w; c++) {
        let s = 0;
        for (let d = -2; d <= 2; d++) s += input[r * w + Math.min(w - 1, Math.max(0, c + d))]!;
        mask[r * w + c] = s / 5;
      }
    return { mask };
  },
};

async function runBlocks(width: number, height: number, bands: Uint16Array[], columnBlockWidth: number | undefined, buffer: number, runner: MaskRunner) {
  const probability = memoryWriter(width, height, (n) => new Float32Array(n));
  const mask = memoryWriter(width, height, (n) => new Uint8Array(n));
  const progress: number[] = [];
  const statistics = await predictScene(memoryRaster(width, height, bands, 0, { blockWidth: width, blockHeight: 7 }), runner, { probability, mask }, {
    bands: [0, 1, 2], normalisation: stretchNormalisation(3, 0, 1000, 'test'), tile: 64, overlap: 24, threshold: 0.4567, buffer, probabilityFormat: 'float32', columnBlockWidth,
    onTile: (done, total) => progress.push(done / total),
  });
  assert.ok(probability.written.every((v) => v === 1) && mask.written.every((v) => v === 1), 'every pixel written once');
  assert.equal(progress.at(-1), 1);
  return { probability: probability.image, mask: mask.image, statistics };
}

test('column blocks (wide scenes) give bit-identical outputs and statistics to the whole-width run, with and without a buffer', async () => {
  const [width, height] = [301, 97];
  const bands = scene(width, height);
  for (const band of bands) for (let r = 20; r < 40; r++) band.fill(0, r * width + 100, r * width + 180); // nodata across a block edge
  for (const buffer of [0, 5]) {
    const whole = await runBlocks(width, height, bands, undefined, buffer, tileDependent);
    for (const block of [64, 100, 150]) {
      const blocked = await runBlocks(width, height, bands, block, buffer, tileDependent);
      assert.deepEqual(Buffer.from(blocked.probability.buffer), Buffer.from(whole.probability.buffer), `block ${block}, buffer ${buffer}: probability`);
      assert.deepEqual(blocked.mask, whole.mask, `block ${block}, buffer ${buffer}: mask`);
      assert.equal(blocked.statistics.nodataPixels, 20 * 80);
      assert.equal(blocked.statistics.cloudPixels, whole.statistics.cloudPixels);
    }
    assert.ok(whole.statistics.cloudPixels > 0 && whole.statistics.cloudPixels < width * height - 1600, 'a mixed mask');
  }
});

test('tiles that are nodata everywhere are not run, and their pixels are nodata', async () => {
  const [width, height] = [200, 130];
  const bands = scene(width, height);
  for (const band of bands) for (let r = 0; r < height; r++) band.fill(0, r * width, r * width + 120); // left 120 columns nodata
  const ran: number[] = [];
  const counting: MaskRunner = { run: (input, n, h, w, at) => (ran.push(at.column), tileDependent.run(input, n, h, w, at)) };
  const result = await runBlocks(width, height, bands, undefined, 0, counting);
  const plan = planTiles(width, height, 64, 24);
  const allNodataColumns = plan.columns.filter((column) => column.start + column.length <= 120).length;
  assert.ok(allNodataColumns >= 2);
  assert.equal(ran.length, (plan.columns.length - allNodataColumns) * plan.rows.length);
  assert.ok(ran.every((column) => column >= allNodataColumns));
  for (let r = 0; r < height; r++) for (let c = 0; c < 120; c++) assert.ok(Number.isNaN(result.probability[r * width + c]!) && result.mask[r * width + c] === 255);
  assert.equal(result.statistics.nodataPixels, 120 * height);
});
