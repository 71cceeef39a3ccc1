import assert from 'node:assert/strict';
import { test } from 'node:test';
import { coverDarkness } from '../../src/shadow/cover-darkness.js';
import { defaultShadowParameters } from '../../src/shadow/index.js';

const W = 128;

/**
 * Meadow (red 0.05, NIR 0.30, SWIR1 0.15) left of x = 64, wet dark soil (red 0.10, NIR 0.15, SWIR1
 * 0.10) right of it: soil is darker than meadow in NIR and SWIR1 by nature. A shadow (every band at 45 %)
 * straddles the border at rows 40..79, x 40..87; a cloud at the top left.
 */
function fields(): { nir: Float32Array; swir: Float32Array; red: Float32Array; cloud: Uint8Array; shadow: Uint8Array } {
  const n = W * W;
  const nir = new Float32Array(n);
  const swir = new Float32Array(n);
  const red = new Float32Array(n);
  const cloud = new Uint8Array(n);
  const shadow = new Uint8Array(n);
  for (let y = 0; y < W; y++) {
    for (let x = 0; x < W; x++) {
      const i = y * W + x;
      // A little texture, as real fields have.
      const texture = 1 + 0.05 * Math.sin(x * 0.7) * Math.cos(y * 0.9);
      [red[i], nir[i], swir[i]] = x < 64 ? [0.05 * texture, 0.3 * texture, 0.15 * texture] : [0.1 * texture, 0.15 * texture, 0.1 * texture];
      if (y >= 40 && y < 80 && x >= 40 && x < 88) {
        shadow[i] = 1;
        red[i] *= 0.45;
        nir[i] *= 0.45;
        swir[i] *= 0.45;
      }
      if (y < 20 && x < 30) cloud[i] = 1;
    }
  }
  return { nir, swir, red, cloud, shadow };
}

test('one image: a shadow is read against clear ground of the same cover, so soil beside meadow is not dark and a shadow across both is', () => {
  const { nir, swir, red, cloud, shadow } = fields();
  const dark = coverDarkness({ nir, swir, red }, cloud, W, W, defaultShadowParameters);
  let [hits, misses, falseDark] = [0, 0, 0];
  for (let i = 0; i < W * W; i++) {
    if (cloud[i]) continue;
    if (shadow[i]) dark[i]! >= 0.5 ? hits++ : misses++;
    else if (dark[i]! >= 0.5) falseDark++;
  }
  // 40 x 48 shadow px, half on each cover; the soil field (0.5 x and 0.67 x meadow) is not dark.
  assert.equal(misses, 0);
  assert.equal(hits, 40 * 48);
  assert.equal(falseDark, 0);
  // Darkness scale: 45 % of the level (below the 0.75 threshold) is 1 - 0.5 x 0.45 / 0.75 = 0.7.
  const centre = 60 * W + 50;
  assert.ok(Math.abs(dark[centre]! - 0.7) < 0.03, `darkness ${dark[centre]}`);
  // Cloud is not read (0), nodata is NaN.
  nir[5 * W + 100] = Number.NaN;
  const again = coverDarkness({ nir, swir, red }, cloud, W, W, defaultShadowParameters);
  assert.equal(again[5 * W + 5], 0);
  assert.ok(Number.isNaN(again[5 * W + 100]!));
});

test('one image: a shadow covering most of its neighbourhood does not set its own level (the level is estimated again without the pixels found dark)', () => {
  // Meadow everywhere, an 88 x 88 px shadow at 50 % in a 160 px window (blocks of 32 px): the
  // blocks around the central one hold 77 % shadow, so the first level there is the shadow's own;
  // the surrounding blocks' shadow, found dark the first time, is left out the second.
  const size = 160;
  const n = size * size;
  const nir = new Float32Array(n).fill(0.3);
  const red = new Float32Array(n).fill(0.05);
  const cloud = new Uint8Array(n);
  for (let y = 44; y < 132; y++) for (let x = 44; x < 132; x++) [nir[y * size + x], red[y * size + x]] = [0.15, 0.025];
  for (let y = 0; y < 8; y++) for (let x = 0; x < 8; x++) cloud[y * size + x] = 1;
  const dark = coverDarkness({ nir, red }, cloud, size, size, defaultShadowParameters);
  let found = 0;
  for (let y = 44; y < 132; y++) for (let x = 44; x < 132; x++) if (dark[y * size + x]! >= 0.5) found++;
  assert.equal(found, 88 * 88);
});

test('one image without red: one cover, the band against its local level', () => {
  const n = W * W;
  const nir = new Float32Array(n).fill(0.3);
  const cloud = new Uint8Array(n);
  for (let y = 50; y < 70; y++) for (let x = 50; x < 70; x++) nir[y * W + x] = 0.12;
  const dark = coverDarkness({ nir }, cloud, W, W, defaultShadowParameters);
  assert.ok(dark[60 * W + 60]! > 0.5);
  assert.equal(dark[10 * W + 10], 0);
});
