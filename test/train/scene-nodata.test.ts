import assert from 'node:assert/strict';
import { test } from 'node:test';
import { linearNormalisation, normaliseTile } from '../../src/predict/normalisation.js';
import { nodataMask } from '../../src/raster/nodata.js';
import type { ImageStack } from '../../src/raster/stack.js';
import type { TypedArray } from '../../src/raster/types.js';
import { stackScene } from '../../src/train/scene.js';

// Pixels: all bands nodata; one band nodata; none; NaN in one band; +Infinity in one band; all NaN.
const BAND_A = [0, 0, 5, Number.NaN, 7, Number.NaN];
const BAND_B = [0, 3, 6, 2, Number.POSITIVE_INFINITY, Number.NaN];

test('training nodata follows predict: every band at the nodata value, or any band non-finite', () => {
  const bands = [Float32Array.from(BAND_A), Float32Array.from(BAND_B)];
  const n = BAND_A.length;
  for (const nodata of [0, Number.NaN, null, 6]) {
    const predicted = normaliseTile(bands, { width: n, height: 1, inputWidth: n, inputHeight: 1, padLeft: 0, padTop: 0 }, linearNormalisation([1, 1], [0, 0], ''), nodata);
    assert.deepEqual([...nodataMask(bands, nodata, n)], [...predicted.nodata], `nodata ${nodata}`);
  }
  assert.deepEqual([...nodataMask(bands, 0, n)], [1, 0, 0, 1, 1, 1]);
  // Integer data: only the all-bands rule can apply.
  assert.deepEqual([...nodataMask([Uint16Array.from([0, 0, 9]), Uint16Array.from([0, 4, 0])], 0, 3)], [1, 0, 0]);
  // predict's integer path (no NaN test) agrees, also with integer and float bands mixed.
  const integerBands: TypedArray[][] = [
    [Uint16Array.from([0, 0, 9, 7]), Uint16Array.from([0, 4, 0, 7])],
    [Int16Array.from([0, 0, 9, 7]), Uint8Array.from([0, 4, 0, 7])],
    [Uint16Array.from([0, 0, 9, 7]), Float32Array.from([0, Number.NaN, 0, 7])],
  ];
  for (const integer of integerBands) {
    for (const nodata of [0, 7, 7.5, Number.NaN, null]) {
      const predicted = normaliseTile(integer, { width: 4, height: 1, inputWidth: 4, inputHeight: 1, padLeft: 0, padTop: 0 }, linearNormalisation([1, 1], [0, 0], ''), nodata);
      assert.deepEqual([...predicted.nodata], [...nodataMask(integer, nodata, 4)], `${integer.map((b) => b.constructor.name).join(' + ')}, nodata ${nodata}`);
    }
  }
});

test('a stack scene keeps a pixel with a single band at the nodata value (scaled), drops all-nodata and non-finite pixels', async () => {
  const raw: TypedArray[] = [Float32Array.from(BAND_A), Float32Array.from(BAND_B)];
  const image = {
    source: 'fake.tif',
    date: new Date('2020-01-01'),
    bandNames: ['red', 'nir'],
    bands: [
      { scale: 0.5, offset: 1 },
      { scale: 0.5, offset: 1 },
    ],
    nodata: 0,
    offset: { x: 0, y: 0 },
    open: async () => ({
      info: {},
      readWindow: async (window: { x: number; width: number }) => ({ window, bands: raw.map((b) => b.slice(window.x, window.x + window.width)) }),
      close: async () => {},
    }),
  };
  const stack = { images: [image], width: BAND_A.length, height: 1, bandNames: ['red', 'nir'] } as unknown as ImageStack;
  const scene = stackScene(stack, 'fake');
  const tiles = await Promise.all(BAND_A.map((_, x) => scene.readTile(0, x, 0, 1)));
  assert.deepEqual(tiles.map((t) => t.valid[0]), [0, 1, 1, 0, 0, 0]);
  // Pixel 1: red is 0 (the nodata value) but nir is not: valid, red scaled to 0 * 0.5 + 1.
  assert.deepEqual([...tiles[1]!.values], [1, 2.5]);
  assert.deepEqual([...tiles[2]!.values], [3.5, 4]);
  for (const x of [0, 3, 4, 5]) assert.deepEqual([...tiles[x]!.values], [0, 0]);
  assert.deepEqual(scene.dates, [image.date]);
  assert.deepEqual(scene.imageNames, ['fake.tif']);
});
