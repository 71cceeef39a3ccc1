/**
 * The preprocessing of the authors' inference (AutoCM_testing.py, `is_stretch=True`), exactly:
 * a 2 %..98 % percentile stretch over all bands jointly (strictly positive values only, numpy's
 * default 'linear' percentile), computed in float64, clipped to [0, 1] and cast to float32; then
 * centred zero padding to multiples of 8. Pure functions on arrays: no files, no browser or Node API.
 */

export type NumericArray = ArrayLike<number>;

/**
 * numpy.percentile(values, p) with the default 'linear' method on values sorted ascending,
 * reproducing numpy's arithmetic (virtual index n*q + (1 - q) - 1 and its two-sided lerp).
 */
export function percentileLinear(sortedValues: NumericArray, p: number): number {
  const n = sortedValues.length;
  if (n === 0) throw new RangeError('percentile of an empty array');
  const q = p / 100;
  const virtualIndex = n * q + (1 + q * (1 - 1 - 1)) - 1;
  const below = Math.floor(virtualIndex);
  const gamma = virtualIndex - below;
  const lower = Math.min(Math.max(below, 0), n - 1);
  const upper = Math.min(Math.max(below + 1, 0), n - 1);
  const a = sortedValues[lower]!;
  const b = sortedValues[upper]!;
  const difference = b - a;
  return gamma >= 0.5 ? b - difference * (1 - gamma) : a + difference * gamma;
}

export interface StretchResult {
  /** The 2nd and 98th percentiles (or the requested ones); 0 when no value counted. */
  lo: number;
  hi: number;
  /** Number of values the percentiles were taken over. */
  count: number;
  /** One float32 band per input band, values in [0, 1]. */
  stretched: Float32Array[];
}

/**
 * The reference per-image stretch of band-sequential data. Percentiles over every value > 0 of
 * every band (and not equal to `nodata`, when given); then (v - lo) / (hi - lo) in float64,
 * clipped to [0, 1] (so 0 stays 0), cast to float32. Values equal to `nodata` become 0.
 * Where the reference would divide by zero (hi == lo) values above lo become 1, others 0.
 * Unlike the reference reader, float input is not truncated to integers.
 */
export function referenceStretch(bands: NumericArray[], nodata?: number | null, lowPercentile = 2, highPercentile = 98): StretchResult {
  const isNodata = (v: number) => nodata !== undefined && nodata !== null && (v === nodata || (Number.isNaN(nodata) && Number.isNaN(v)));
  let count = 0;
  for (const band of bands) for (let i = 0; i < band.length; i++) if (band[i]! > 0 && !isNodata(band[i]!)) count++;
  const values = new Float64Array(count);
  let k = 0;
  for (const band of bands) for (let i = 0; i < band.length; i++) if (band[i]! > 0 && !isNodata(band[i]!)) values[k++] = band[i]!;
  values.sort();
  const lo = count ? percentileLinear(values, lowPercentile) : 0;
  const hi = count ? percentileLinear(values, highPercentile) : 0;
  const range = hi - lo;
  const stretched = bands.map((band) => {
    const out = new Float32Array(band.length);
    for (let i = 0; i < band.length; i++) {
      const v = band[i]!;
      if (isNodata(v) || !(v === v)) continue;
      const t = range > 0 ? (v - lo) / range : v > lo ? 1 : 0;
      out[i] = t < 0 ? 0 : t > 1 ? 1 : t;
    }
    return out;
  });
  return { lo, hi, count, stretched };
}

/** The size the reference pads to: the next multiple of 8 (unchanged when already one). */
export function paddedSize(size: number): number {
  return size % 8 === 0 ? size : (Math.floor(size / 8) + 1) * 8;
}

/** tf.image.resize_with_crop_or_pad offsets: floor of half the padding before, the rest after. */
export function centredPadOffsets(height: number, width: number): { top: number; left: number; height: number; width: number } {
  const paddedHeight = paddedSize(height);
  const paddedWidth = paddedSize(width);
  return { top: Math.floor((paddedHeight - height) / 2), left: Math.floor((paddedWidth - width) / 2), height: paddedHeight, width: paddedWidth };
}

/** Band-sequential bands (height x width each) -> one NCHW [1, bands, H8, W8] array, zero padded, centred. */
export function padCentredNchw(bands: Float32Array[], height: number, width: number): { data: Float32Array; top: number; left: number; height: number; width: number } {
  const pad = centredPadOffsets(height, width);
  const data = new Float32Array(bands.length * pad.height * pad.width);
  bands.forEach((band, c) => {
    for (let y = 0; y < height; y++) {
      data.set(band.subarray(y * width, (y + 1) * width), (c * pad.height + y + pad.top) * pad.width + pad.left);
    }
  });
  return { data, ...pad };
}

/** Crops a [H8 x W8] plane back to the original image (inverse of the centred pad). */
export function cropCentred(plane: Float32Array, pad: { top: number; left: number; width: number }, height: number, width: number): Float32Array {
  const out = new Float32Array(height * width);
  for (let y = 0; y < height; y++) out.set(plane.subarray((y + pad.top) * pad.width + pad.left, (y + pad.top) * pad.width + pad.left + width), y * width);
  return out;
}
