import assert from 'node:assert/strict';
import { test } from 'node:test';
import { referenceDarkness, type ReferenceBands } from '../../src/shadow/reference-darkness.js';
import { defaultShadowParameters } from '../../src/shadow/shadow-types.js';

const W = 64;
const n = W * W;
const inPatch = (i: number) => i % W >= 20 && i % W < 40 && Math.floor(i / W) >= 20 && Math.floor(i / W) < 40;
const centre = 30 * W + 30;
const outside = 5 * W + 5;

/** Vegetation whose clear sky is red 0.05, NIR 0.30, SWIR1 0.15; the date multiplies each band by `date` outside the patch and `patch` inside it. */
function land(date: [number, number, number], patch: [number, number, number]): ReferenceBands {
  const sky = [0.05, 0.3, 0.15];
  const band = (k: number, factors: number[][]) => Float32Array.from({ length: n }, (_, i) => sky[k]! * factors[inPatch(i) ? 1 : 0]![k]!);
  const observed = [date, patch];
  const reference = [
    [1, 1, 1],
    [1, 1, 1],
  ];
  return { red: band(0, observed), nir: band(1, observed), swir: band(2, observed), refRed: band(0, reference), refNir: band(1, reference), refSwir: band(2, reference) };
}

const clear = new Uint8Array(n);

test('land: the ratio to the clear sky is read against the unshadowed ground around it (a hazy date lifts its shadows)', () => {
  // The date is 30 % brighter than its clear sky (haze); the patch, 0.9 of its clear sky, is 0.69 of its surroundings.
  const hazy = land([1.3, 1.3, 1.3], [0.9, 0.9, 0.9]);
  const local = referenceDarkness(hazy, clear, W, W, defaultShadowParameters);
  assert.ok(local.dark[centre]! > 0.5, `patch darkness ${local.dark[centre]}`);
  assert.ok(local.dark[outside]! < 0.1, `surroundings' darkness ${local.dark[outside]}`);
  const fixed = referenceDarkness(hazy, clear, W, W, { ...defaultShadowParameters, referenceBlock: 0 });
  assert.ok(fixed.dark[centre]! < 0.5, `a fixed ratio test misses it: ${fixed.dark[centre]}`);
  // On a date as bright as its clear sky both read the same darkness: 0.5 at the threshold (0.8), 0 at 1.
  const plain = land([1, 1, 1], [0.8, 0.8, 0.8]);
  const a = referenceDarkness(plain, clear, W, W, defaultShadowParameters);
  const b = referenceDarkness(plain, clear, W, W, { ...defaultShadowParameters, referenceBlock: 0 });
  assert.ok(Math.abs(a.dark[centre]! - 0.5) < 1e-6 && Math.abs(b.dark[centre]! - 0.5) < 1e-6, `${a.dark[centre]} ${b.dark[centre]}`);
  assert.equal(a.dark[outside], 0);
  // The projection's weaker test (darkness 0.4) sits a fifth of the way from the threshold to no darkening: 0.84.
  const weak = referenceDarkness(land([1, 1, 1], [0.84, 0.84, 0.84]), clear, W, W, defaultShadowParameters);
  assert.ok(Math.abs(weak.inProjection[centre]! - 0.4) < 1e-5, `${weak.inProjection[centre]}`);
});

test('land: ground darker in NIR but brighter in red (a burn, green-up) is no shadow', () => {
  const burn = referenceDarkness(land([1, 1, 1], [2, 0.6, 0.6]), clear, W, W, defaultShadowParameters);
  assert.equal(burn.dark[centre], 0);
  assert.equal(burn.inProjection[centre], 0);
  const shadow = referenceDarkness(land([1, 1, 1], [0.6, 0.6, 0.6]), clear, W, W, defaultShadowParameters);
  assert.ok(shadow.dark[centre]! > 0.5);
  const off = referenceDarkness(land([1, 1, 1], [2, 0.6, 0.6]), clear, W, W, { ...defaultShadowParameters, redCeiling: 0 });
  assert.ok(off.dark[centre]! > 0.5);
});

test('permanent water is read in red against the date\'s own clear water; new water only inside projections', () => {
  const bands = land([1, 1, 1], [1, 1, 1]);
  const lake = (i: number) => Math.floor(i / W) >= 44;
  const shadowed = 50 * W + 10;
  const openWater = 50 * W + 50;
  for (let i = 0; i < n; i++) {
    if (!lake(i)) continue;
    // Clear water's reference is biased bright (a mean with hazy dates): its red ratio is 0.6 everywhere but in the shadow (0.2).
    [bands.refRed![i], bands.refNir![i], bands.refSwir![i]] = [0.05, 0.04, 0.02];
    const inShadow = i % W < 20;
    [bands.red![i], bands.nir![i], bands.swir![i]] = inShadow ? [0.01, 0.01, 0.005] : [0.03, 0.02, 0.01];
  }
  const water = referenceDarkness(bands, clear, W, W, defaultShadowParameters);
  assert.ok(water.dark[shadowed]! > 0.5, `shadowed water ${water.dark[shadowed]}`);
  assert.ok(water.dark[openWater]! < 0.1, `open water ${water.dark[openWater]}`);
  assert.equal(water.inProjection[shadowed], water.dark[shadowed]);
  // The same shadowed pixels with a land reference are new water: not for matching and rays, dark inside projections.
  for (let i = 0; i < n; i++) if (lake(i)) [bands.refRed![i], bands.refNir![i], bands.refSwir![i]] = [0.05, 0.3, 0.15];
  const flooded = referenceDarkness(bands, clear, W, W, defaultShadowParameters);
  assert.equal(flooded.dark[shadowed], 0);
  assert.ok(flooded.inProjection[shadowed]! > 0.5);
  // Without red there is no water test: the pixel is land.
  const noRed = referenceDarkness({ ...bands, red: undefined, refRed: undefined }, clear, W, W, defaultShadowParameters);
  assert.ok(noRed.dark[shadowed]! > 0.5);
});

test('clouds and nodata: cloud pixels stay out of the ground level, pixels without a reference get NaN', () => {
  const hazy = land([1.3, 1.3, 1.3], [0.9, 0.9, 0.9]);
  const cloud = new Uint8Array(n);
  // Bright cloud over the bottom rows: its ratio (2) must not raise the level of the ground beside it.
  for (let i = 44 * W; i < n; i++) [cloud[i], hazy.nir[i], hazy.swir![i]] = [1, 0.6, 0.3];
  for (let i = 0; i < W; i++) hazy.refNir[i] = Number.NaN;
  const result = referenceDarkness(hazy, cloud, W, W, defaultShadowParameters);
  const besideCloud = 40 * W + 5;
  assert.ok(result.dark[besideCloud]! < 0.1, `ground beside the cloud ${result.dark[besideCloud]}`);
  assert.ok(result.dark[centre]! > 0.5, `${result.dark[centre]}`);
  assert.ok(Number.isNaN(result.dark[3]!));
});
