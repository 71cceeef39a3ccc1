/**
 * Per-band value ranges, nodata and non-finite counts, read window by window (never the whole
 * file at once); big files are summarised from an overview when they have one.
 */
import { AutocmError } from '../util/errors.js';
import { findNonFinite } from './open.js';
import type { RasterSource, TypedArray } from './types.js';

export interface BandStatistics {
  /** Range of the valid values (not nodata, finite); null when the band has none. */
  min: number | null;
  max: number | null;
  validCount: number;
  nodataCount: number;
  /** NaN or +-Inf values that are not the declared nodata. */
  nonFiniteCount: number;
}

export interface RasterStatistics {
  /** 0 = full resolution, n = overview n. */
  level: number;
  width: number;
  height: number;
  bands: BandStatistics[];
  /** Pixels where any band is nodata or non-finite. */
  nodataPixels: number;
  nodataFraction: number;
}

export interface StatisticsOptions {
  nodata: number | null;
  /** Use the largest overview with at most this many pixels when the full image has more. Default 16 M. */
  maxPixels?: number;
  /** Pixels read per window. Default 4 M. */
  windowPixels?: number;
  onProgress?: (rowsDone: number, rows: number) => void;
}

function pickLevel(source: RasterSource, maxPixels: number): { level: number; width: number; height: number } {
  const { width, height, overviews } = source.info;
  if (width * height <= maxPixels || overviews.length === 0) return { level: 0, width, height };
  const index = overviews.findIndex((o) => o.width * o.height <= maxPixels);
  const chosen = index >= 0 ? index : overviews.length - 1;
  return { level: chosen + 1, width: overviews[chosen].width, height: overviews[chosen].height };
}

export async function rasterStatistics(source: RasterSource, options: StatisticsOptions): Promise<RasterStatistics> {
  const { level, width, height } = pickLevel(source, options.maxPixels ?? 16_000_000);
  const bandCount = source.info.bandCount;
  const nodata = options.nodata;
  const nodataIsNaN = nodata !== null && Number.isNaN(nodata);
  const stats: BandStatistics[] = Array.from({ length: bandCount }, () => ({ min: null, max: null, validCount: 0, nodataCount: 0, nonFiniteCount: 0 }));
  const mins = new Float64Array(bandCount).fill(Infinity);
  const maxs = new Float64Array(bandCount).fill(-Infinity);
  let nodataPixels = 0;
  const block = level === 0 ? Math.max(1, source.info.blockHeight) : 1;
  let rows = Math.max(1, Math.floor((options.windowPixels ?? 4_000_000) / width));
  if (rows > block) rows -= rows % block;
  for (let y = 0; y < height; y += rows) {
    const h = Math.min(rows, height - y);
    const { bands } = await source.readWindow({ x: 0, y, width, height: h }, { level });
    const bad = new Uint8Array(width * h);
    bands.forEach((data: TypedArray, b) => {
      const s = stats[b];
      let lo = mins[b];
      let hi = maxs[b];
      for (let i = 0; i < data.length; i++) {
        const v = data[i];
        if (v === nodata || (nodataIsNaN && Number.isNaN(v))) {
          s.nodataCount++;
          bad[i] = 1;
        } else if (!Number.isFinite(v)) {
          s.nonFiniteCount++;
          bad[i] = 1;
        } else {
          s.validCount++;
          if (v < lo) lo = v;
          if (v > hi) hi = v;
        }
      }
      mins[b] = lo;
      maxs[b] = hi;
    });
    for (let i = 0; i < bad.length; i++) nodataPixels += bad[i];
    options.onProgress?.(y + h, height);
  }
  stats.forEach((s, b) => {
    if (s.validCount > 0) {
      s.min = mins[b];
      s.max = maxs[b];
    }
  });
  return { level, width, height, bands: stats, nodataPixels, nodataFraction: nodataPixels / (width * height) };
}

/**
 * Throws when data that must be finite (model inputs, training tensors) hold NaN or +-Inf outside
 * the nodata value: names the file, band and pixel. Use it where NaN cannot be treated as nodata.
 */
export function assertFinite(bands: TypedArray[], file: string, window: { x: number; y: number; width: number }, nodata: number | null = null): void {
  if (!findNonFinite(bands)) return;
  const nanIsNodata = nodata !== null && Number.isNaN(nodata);
  for (let b = 0; b < bands.length; b++) {
    const data = bands[b];
    for (let i = 0; i < data.length; i++) {
      const v = data[i];
      if (!Number.isFinite(v) && !(nanIsNodata && Number.isNaN(v))) throw nonFinite(file, b, i, v, window);
    }
  }
}

function nonFinite(file: string, band: number, index: number, value: number, window: { x: number; y: number; width: number }): AutocmError {
  const x = window.x + (index % window.width);
  const y = window.y + Math.floor(index / window.width);
  return new AutocmError(`band ${band + 1} holds a non-finite value (${value}) at pixel x=${x} y=${y}: the data must be finite (declare it as nodata, e.g. gdal_edit.py -a_nodata nan, or fix the file)`, file);
}
