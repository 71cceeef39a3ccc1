import { selectInPlace } from '../util/robust-statistics.js';
import { WINDOW_CLEAR, type Darkness, type ShadowParameters } from './shadow-types.js';

/** The bands the clear-sky test reads, each with its reference (`swir1` and `red` may be absent). */
export interface ReferenceBands {
  nir: Float32Array;
  refNir: Float32Array;
  swir?: Float32Array;
  refSwir?: Float32Array;
  red?: Float32Array;
  refRed?: Float32Array;
}

/** Fewest pixels whose median (or quantile) stands for a block's or the window's level. */
export const MIN_LEVEL_PIXELS = 30;

const LAND = 0;
const PERMANENT_WATER = 1;
const NEW_WATER = 2;

/**
 * Darkness of every clear pixel against the clear-sky reference (0.5 at the dark threshold, NaN
 * where the pixel or its reference is nodata):
 * - land: the ratio to the reference in NIR (and SWIR1), divided by what the ratio is on the
 *   unshadowed ground around it (the median ratio of the not-dark clear pixels in blocks of
 *   `referenceBlock` px, interpolated between block centres): haze and cirrus brighten a whole
 *   area of the date against its clear sky, which lifts its shadows out of a fixed ratio test;
 *   land whose red ratio rose above `redCeiling` x the red ratio around it is no shadow;
 * - permanent water (water-like in the image and in the reference): the ratio in red, which
 *   water reflects more than NIR, divided by the window's clear-water red ratio; the reference
 *   over water is a mean that hazy dates brighten more than land, so only the date's own water
 *   says what is darker;
 * - new water (water-like only in the image: a flood, or land in deep shadow): 0 for matching
 *   and rays, the land test inside matched projections, where the geometry vouches for it.
 * Without red there is no water test and every pixel is land.
 */
export function referenceDarkness(bands: ReferenceBands, cloud: Uint8Array, width: number, height: number, parameters: ShadowParameters): Darkness {
  const { nir, refNir, swir, refSwir, red, refRed } = bands;
  const n = width * height;
  const strict = parameters.referenceRatio;
  // `dark` holds the land ratio until it is turned into darkness below; `inProjection` first holds the red ratio.
  const dark = new Float32Array(n);
  const inProjection = new Float32Array(n);
  const water = new Uint8Array(n);
  const unshadowedLand = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    let r = ratioOf(nir[i]!, refNir[i]!);
    if (swir && refSwir) r = Math.max(r, ratioOf(swir[i]!, refSwir[i]!));
    dark[i] = r;
    if (red && isWater(red[i]!, nir[i]!)) water[i] = refRed && isWater(refRed[i]!, refNir[i]!) ? PERMANENT_WATER : NEW_WATER;
    unshadowedLand[i] = cloud[i] === WINDOW_CLEAR && water[i] === LAND && r >= strict ? 1 : 0;
  }
  const level = new Float32Array(n);
  const redRatio = red && refRed ? inProjection : null;
  // A shadow darkens red too: ground whose red rose well above its surroundings' is something else (a burn, green-up, thin cloud).
  const redRose = new Uint8Array(redRatio && parameters.redCeiling > 0 ? n : 0);
  let waterLevel = 1;
  if (redRatio) {
    for (let i = 0; i < n; i++) redRatio[i] = ratioOf(red![i]!, refRed![i]!);
    if (redRose.length > 0) {
      localLevel(redRatio, unshadowedLand, width, height, parameters.referenceBlock, level);
      for (let i = 0; i < n; i++) redRose[i] = redRatio[i]! / level[i]! > parameters.redCeiling ? 1 : 0;
    }
    const clearWater: number[] = [];
    for (let i = 0; i < n; i++) if (water[i] === PERMANENT_WATER && cloud[i] === WINDOW_CLEAR && redRatio[i]! >= parameters.waterRatio) clearWater.push(redRatio[i]!);
    if (clearWater.length >= MIN_LEVEL_PIXELS) waterLevel = median(Float32Array.from(clearWater));
  }
  localLevel(dark, unshadowedLand, width, height, parameters.referenceBlock, level);
  for (let i = 0; i < n; i++) {
    if (water[i] === PERMANENT_WATER) {
      const r = redRatio![i]! / waterLevel;
      dark[i] = inProjection[i] = Number.isNaN(r) ? Number.NaN : ratioDarkness(r, parameters.waterRatio);
      continue;
    }
    const r = dark[i]! / level[i]!;
    let d = Number.isNaN(r) ? Number.NaN : ratioDarkness(r, strict);
    if (refNir[i]! - nir[i]! < 0.02 && d > 0.49) d = 0.49;
    if (redRose.length > 0 && redRose[i]) d = 0;
    dark[i] = water[i] === LAND ? d : 0;
    inProjection[i] = d;
  }
  return { dark, inProjection };
}

/** Darkness of a ratio to the clear sky: 1 at 0 (black), 0.5 at the `strict` threshold, 0 at 1 (no darker than clear sky) and above. */
export function ratioDarkness(r: number, strict: number): number {
  return r < strict ? 0.5 + (0.5 * (strict - r)) / strict : clamp01((0.5 * (1 - r)) / (1 - strict));
}

/**
 * Writes into `out` the values' level on unshadowed ground around each pixel: medians of the
 * `usable` pixels' values in blocks of `block` px, bilinear between block centres; a block with
 * too few such pixels takes the window's median, a window with too few takes 1. `block` 0: 1
 * everywhere.
 */
function localLevel(values: Float32Array, usable: Uint8Array, width: number, height: number, block: number, out: Float32Array): void {
  if (block <= 0) {
    out.fill(1);
    return;
  }
  const columns = Math.ceil(width / block);
  const rows = Math.ceil(height / block);
  const levels = new Float32Array(columns * rows);
  const scratch = new Float32Array(block * block);
  const sample: number[] = [];
  const stride = Math.max(1, Math.floor((width * height) / 20000));
  for (let i = 0; i < width * height; i += stride) if (usable[i] && !Number.isNaN(values[i]!)) sample.push(values[i]!);
  const windowLevel = sample.length >= MIN_LEVEL_PIXELS ? median(Float32Array.from(sample)) : 1;
  for (let by = 0; by < rows; by++) {
    for (let bx = 0; bx < columns; bx++) {
      let count = 0;
      for (let y = by * block; y < Math.min(height, (by + 1) * block); y++) {
        for (let i = y * width + bx * block, end = y * width + Math.min(width, (bx + 1) * block); i < end; i++) {
          if (usable[i] && !Number.isNaN(values[i]!)) scratch[count++] = values[i]!;
        }
      }
      levels[by * columns + bx] = count >= MIN_LEVEL_PIXELS ? median(scratch.subarray(0, count)) : windowLevel;
    }
  }
  // Bilinear between block centres (clamped at the window's edge blocks); the column weights are the same on every row.
  const left = new Int32Array(width);
  const right = new Int32Array(width);
  const towardsRight = new Float32Array(width);
  for (let x = 0; x < width; x++) {
    const fx = clamp((x + 0.5) / block - 0.5, 0, columns - 1);
    left[x] = Math.floor(fx);
    right[x] = Math.min(left[x]! + 1, columns - 1);
    towardsRight[x] = fx - left[x]!;
  }
  for (let y = 0; y < height; y++) {
    const fy = clamp((y + 0.5) / block - 0.5, 0, rows - 1);
    const top = Math.floor(fy) * columns;
    const bottom = Math.min(Math.floor(fy) + 1, rows - 1) * columns;
    const ay = fy - Math.floor(fy);
    for (let x = 0, i = y * width; x < width; x++, i++) {
      const ax = towardsRight[x]!;
      const upper = (1 - ax) * levels[top + left[x]!]! + ax * levels[top + right[x]!]!;
      const lower = (1 - ax) * levels[bottom + left[x]!]! + ax * levels[bottom + right[x]!]!;
      out[i] = (1 - ay) * upper + ay * lower;
    }
  }
}

/** Median (the upper one of an even count) of the values; reorders them. */
function median(values: Float32Array): number {
  return selectInPlace(values, values.length, values.length >> 1);
}

export function ratioOf(value: number, reference: number): number {
  if (Number.isNaN(value) || Number.isNaN(reference)) return Number.NaN;
  return value / Math.max(reference, 1e-3);
}

export function ndviOf(red: number, nir: number): number {
  return (nir - red) / Math.max(1e-6, nir + red);
}

/** Fmask's water test on red and NIR. */
export function isWater(red: number, nir: number): boolean {
  const ndvi = ndviOf(red, nir);
  return (ndvi < 0.01 && nir < 0.11) || (ndvi < 0.1 && nir < 0.05);
}

function clamp(x: number, low: number, high: number): number {
  return x < low ? low : x > high ? high : x;
}

function clamp01(x: number): number {
  return clamp(x, 0, 1);
}
