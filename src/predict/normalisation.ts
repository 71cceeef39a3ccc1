import type { TypedArray } from '../raster/types.js';

/**
 * The per-band linear map from raw values to network input: x = (v - subtract[b]) / divide[b],
 * clipped to [0, 1] for the stretch (as the reference does), left unclipped for fixed scaling.
 */
export interface InputNormalisation {
  subtract: number[];
  divide: number[];
  clip: boolean;
  /** What was applied, for the output's metadata and the summary. */
  description: string;
}

export function stretchNormalisation(bandCount: number, lo: number, hi: number, description: string): InputNormalisation {
  // hi == lo (a constant image) would divide by zero in the reference; one DN of range maps it to 0.
  const range = hi > lo ? hi - lo : 1;
  return { subtract: new Array<number>(bandCount).fill(lo), divide: new Array<number>(bandCount).fill(range), clip: true, description };
}

/** x = v * scale + offset, written as (v - (-offset/scale)) / (1/scale). */
export function linearNormalisation(scales: number[], offsets: number[], description: string): InputNormalisation {
  return {
    subtract: scales.map((scale, b) => -offsets[b]! / scale),
    divide: scales.map((scale) => 1 / scale),
    clip: false,
    description,
  };
}

export interface NormalisedTile {
  /** NCHW float32 network input, size rows x columns per band, zero-padded. */
  input: Float32Array;
  /** 1 where the pixel is nodata, for the tile's valid (unpadded) part, length x length. */
  nodata: Uint8Array;
  /** Number of pixels with a NaN or infinite value (treated as nodata). */
  nonFinite: number;
  /** Seconds spent reading and normalising this tile, when measured. */
  seconds?: { read: number; normalise: number };
}

export interface TileGeometry {
  /** Pixels read (valid part). */
  width: number;
  height: number;
  /** Network input size (multiples of 8) and where the valid part sits in it. */
  inputWidth: number;
  inputHeight: number;
  padLeft: number;
  padTop: number;
}

/**
 * Normalises band-sequential raw data into a zero-padded NCHW tile. A pixel is nodata when every
 * band equals the image's nodata value, or when any band is NaN or infinite; nodata pixels get
 * input 0 (what the reference stretch gives its 0 fill).
 */
export function normaliseTile(bands: TypedArray[], geometry: TileGeometry, normalisation: InputNormalisation, nodataValue: number | null): NormalisedTile {
  const { width, height, inputWidth, inputHeight, padLeft, padTop } = geometry;
  const plane = inputWidth * inputHeight;
  const input = new Float32Array(bands.length * plane);
  const count = width * height;
  const { nodata, nonFinite } = nodataOf(bands, count, nodataValue);
  for (let b = 0; b < bands.length; b++) {
    normaliseBand(bands[b]!, nodata, input, b * plane + padTop * inputWidth + padLeft, width, height, inputWidth, normalisation.subtract[b]!, normalisation.divide[b]!, normalisation.clip);
  }
  return { input, nodata, nonFinite };
}

/**
 * The nodata mask in one pass per band. A pixel whose bands all equal a finite nodata value has no
 * NaN or infinite band, so the two rules never both apply to a pixel: counting bands equal to the
 * nodata value and flagging the first non-finite band in the same pass gives what checking
 * equality first would.
 */
function nodataOf(bands: TypedArray[], count: number, nodataValue: number | null): { nodata: Uint8Array; nonFinite: number } {
  const nodata = new Uint8Array(count);
  // Integer samples are never NaN or infinite, and equal only an integer nodata value.
  if (bands.every((band) => !(band instanceof Float32Array || band instanceof Float64Array))) {
    if (nodataValue === null || !Number.isInteger(nodataValue)) return { nodata, nonFinite: 0 };
    nodata.fill(1);
    for (const band of bands) for (let i = 0; i < count; i++) if (band[i] !== nodataValue) nodata[i] = 0;
    return { nodata, nonFinite: 0 };
  }
  const nanIsNodata = nodataValue !== null && Number.isNaN(nodataValue);
  const compare = nodataValue !== null && !nanIsNodata;
  const equalBands = compare ? new Uint8Array(count) : null;
  let nonFinite = 0;
  for (const band of bands) {
    for (let i = 0; i < count; i++) {
      const v = band[i]!;
      if (equalBands !== null && v === nodataValue) equalBands[i]++;
      // v - v is 0 for every finite number and NaN for NaN and +-Infinity.
      else if (v - v !== 0 && nodata[i] === 0) {
        nodata[i] = 1;
        if (!nanIsNodata || !Number.isNaN(v)) nonFinite++;
      }
    }
  }
  if (equalBands !== null) {
    const all = bands.length;
    for (let i = 0; i < count; i++) if (equalBands[i] === all) nodata[i] = 1;
  }
  return { nodata, nonFinite };
}

/** x = (v - subtract) / divide (a division, not a multiplication: results stay bit-identical), clipped for the stretch. */
function normaliseBand(
  band: TypedArray,
  nodata: Uint8Array,
  input: Float32Array,
  offset: number,
  width: number,
  height: number,
  inputWidth: number,
  subtract: number,
  divide: number,
  clip: boolean,
): void {
  for (let row = 0; row < height; row++) {
    const from = row * width;
    const to = offset + row * inputWidth;
    if (clip) {
      for (let col = 0; col < width; col++) {
        if (nodata[from + col] === 1) continue;
        const x = (band[from + col]! - subtract) / divide;
        input[to + col] = x < 0 ? 0 : x > 1 ? 1 : x;
      }
    } else {
      for (let col = 0; col < width; col++) if (nodata[from + col] === 0) input[to + col] = (band[from + col]! - subtract) / divide;
    }
  }
}
