import { selectInPlace } from '../util/robust-statistics.js';
import { MIN_LEVEL_PIXELS, ndviOf, ratioDarkness } from './reference-darkness.js';
import { WINDOW_CLEAR, type ShadowParameters } from './shadow-types.js';

/** The bands the one-image test reads (`swir` and `red` may be absent). */
export interface CoverBands {
  nir: Float32Array;
  swir?: Float32Array;
  red?: Float32Array;
}

/** NDVI range that the cover classes divide into equal bins (values outside join the end bins). */
const NDVI_LOW = -0.2;
const NDVI_HIGH = 0.9;
/** At most this many values enter one level's quantile (evenly strided): enough for a quantile, bounded work. */
const MAX_LEVEL_SAMPLE = 4096;

/**
 * One-image darkness of every pixel (0.5 at the dark threshold, NaN where nodata): its NIR (and
 * SWIR1: both must be dark) against the clear ground of the same cover around it. A shadow dims
 * every band by about the same factor, so a shadowed field keeps its spectral shape (NDVI) and
 * loses brightness, while ground that is dark by nature (soil beside meadow) has another shape.
 * The cover is the pixel's NDVI bin (`coverClasses` bins; one class without red). Its level is the
 * `coverQuantile` of the band over the clear pixels of the same class in the pixel's block of
 * `coverBlock` px and the 8 blocks around (the window's where fewer than 30), estimated twice: the
 * second time without the pixels that the first calls dark, so that a large shadow does not pull
 * its own level down. Classes too rare to have a level are not dark.
 */
export function coverDarkness(bands: CoverBands, cloud: Uint8Array, width: number, height: number, parameters: ShadowParameters): Float32Array {
  const cover = coverClasses(bands, cloud, parameters.coverClasses);
  const grid = new CoverGrid(width, height, parameters.coverBlock, bands.red ? parameters.coverClasses : 1, cover);
  const dark = bandDarkness(bands.nir, grid, parameters);
  if (bands.swir) {
    const swirDark = bandDarkness(bands.swir, grid, parameters);
    for (let i = 0; i < dark.length; i++) if (!Number.isNaN(swirDark[i]!)) dark[i] = Math.min(dark[i]!, swirDark[i]!);
  }
  return dark;
}

/** Each clear pixel's NDVI bin (0 for all without red); -1 where cloud, nodata or NaN. */
function coverClasses(bands: CoverBands, cloud: Uint8Array, classes: number): Int16Array {
  const { nir, red } = bands;
  const cover = new Int16Array(nir.length).fill(-1);
  for (let i = 0; i < nir.length; i++) {
    if (cloud[i] !== WINDOW_CLEAR || Number.isNaN(nir[i]!)) continue;
    if (!red) {
      cover[i] = 0;
      continue;
    }
    if (Number.isNaN(red[i]!)) continue;
    const ndvi = ndviOf(red[i]!, nir[i]!);
    cover[i] = Math.min(classes - 1, Math.max(0, Math.floor(((ndvi - NDVI_LOW) / (NDVI_HIGH - NDVI_LOW)) * classes)));
  }
  return cover;
}

function bandDarkness(values: Float32Array, grid: CoverGrid, parameters: ShadowParameters): Float32Array {
  const n = values.length;
  const { cover } = grid;
  const usable = new Uint8Array(n);
  for (let i = 0; i < n; i++) usable[i] = cover[i]! >= 0 && !Number.isNaN(values[i]!) ? 1 : 0;
  const first = coverLevels(values, usable, grid, parameters.coverQuantile);
  for (let i = 0; i < n; i++) if (usable[i] && values[i]! / first[grid.keyOf(i)]! < parameters.coverRatio) usable[i] = 0;
  const levels = coverLevels(values, usable, grid, parameters.coverQuantile);
  const dark = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    if (Number.isNaN(values[i]!)) dark[i] = Number.NaN;
    else if (cover[i]! >= 0) {
      const level = levels[grid.keyOf(i)]!;
      if (level > 0) dark[i] = ratioDarkness(values[i]! / level, parameters.coverRatio);
    }
  }
  return dark;
}

/** Blocks x cover classes of a window: each clear pixel's key is its block's index x classes + its class. */
class CoverGrid {
  readonly columns: number;
  readonly rows: number;
  readonly keys: number;
  constructor(
    readonly width: number,
    height: number,
    readonly block: number,
    readonly classes: number,
    readonly cover: Int16Array,
  ) {
    this.columns = Math.ceil(width / block);
    this.rows = Math.ceil(height / block);
    this.keys = this.columns * this.rows * classes;
  }

  keyOf(i: number): number {
    return (Math.floor(i / this.width / this.block) * this.columns + Math.floor((i % this.width) / this.block)) * this.classes + this.cover[i]!;
  }
}

/**
 * The level of each (block, class): the `quantile` of the `usable` values of the class in the
 * block and the 8 around, else in the whole window; NaN where too few, and for pairs no pixel has.
 */
function coverLevels(values: Float32Array, usable: Uint8Array, grid: CoverGrid, quantile: number): Float32Array {
  const { columns, rows, keys, classes, cover } = grid;
  // The usable values bucketed by key, and which keys any clear pixel has (they need a level).
  const start = new Int32Array(keys + 1);
  const present = new Uint8Array(keys);
  for (let i = 0; i < values.length; i++) {
    if (cover[i]! < 0) continue;
    const key = grid.keyOf(i);
    present[key] = 1;
    if (usable[i]) start[key + 1]!++;
  }
  for (let k = 0; k < keys; k++) start[k + 1]! += start[k]!;
  const bucketed = new Float32Array(start[keys]!);
  const filled = start.slice(0, keys);
  for (let i = 0; i < values.length; i++) if (usable[i]) bucketed[filled[grid.keyOf(i)]!++] = values[i]!;

  const scratch = new Float32Array(MAX_LEVEL_SAMPLE);
  const quantileOf = (gather: (visit: (from: number, to: number) => void) => void): number => {
    let total = 0;
    gather((from, to) => (total += to - from));
    if (total < MIN_LEVEL_PIXELS) return Number.NaN;
    const stride = Math.ceil(total / MAX_LEVEL_SAMPLE);
    let count = 0;
    let seen = 0;
    gather((from, to) => {
      for (let j = from; j < to; j++, seen++) if (seen % stride === 0) scratch[count++] = bucketed[j]!;
    });
    return selectInPlace(scratch, count, Math.floor(quantile * (count - 1)));
  };
  const windowLevel = new Float32Array(classes);
  for (let c = 0; c < classes; c++) {
    windowLevel[c] = quantileOf((visit) => {
      for (let b = 0; b < columns * rows; b++) visit(start[b * classes + c]!, start[b * classes + c + 1]!);
    });
  }
  const levels = new Float32Array(keys).fill(Number.NaN);
  for (let key = 0; key < keys; key++) {
    if (!present[key]) continue;
    const c = key % classes;
    const bx = Math.floor(key / classes) % columns;
    const by = Math.floor(key / classes / columns);
    const local = quantileOf((visit) => {
      for (let y = Math.max(0, by - 1); y <= Math.min(rows - 1, by + 1); y++) {
        for (let x = Math.max(0, bx - 1); x <= Math.min(columns - 1, bx + 1); x++) visit(start[(y * columns + x) * classes + c]!, start[(y * columns + x) * classes + c + 1]!);
      }
    });
    levels[key] = Number.isNaN(local) ? windowLevel[c]! : local;
  }
  return levels;
}
