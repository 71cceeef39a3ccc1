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
  /** Pixels the figures were computed from (width x height unless sampled). */
  sampledPixels: number;
  /** Number of windows read when the level was too big to scan and was sampled instead; 0 for a full scan. */
  sampleWindows: number;
}

export interface StatisticsOptions {
  nodata: number | null;
  /**
   * Use the largest overview with at most this many pixels when the full image has more. Default 16 M.
   * When no level is that small, a bounded number of windows spread over the image is read instead
   * (at most about maxPixels pixels in all), never the whole level.
   */
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

/** Windows spread evenly over a level too big to scan: an n x n grid of block-aligned windows. */
export function sampleWindows(width: number, height: number, blockWidth: number, blockHeight: number, maxPixels: number): { x: number; y: number; width: number; height: number }[] {
  const grid = 8;
  const side = Math.max(16, Math.floor(Math.sqrt(maxPixels / (grid * grid))));
  const w = Math.min(width, side, blockWidth > 0 ? Math.max(blockWidth, 16) : side);
  const h = Math.min(height, side, blockHeight > 0 ? Math.max(blockHeight, 16) : side);
  const place = (size: number, extent: number, block: number, i: number): number => {
    let start = Math.floor(((i + 0.5) * extent) / grid - size / 2);
    if (block > 0) start -= start % block;
    return Math.max(0, Math.min(extent - size, start));
  };
  const windows: { x: number; y: number; width: number; height: number }[] = [];
  const seen = new Set<string>();
  for (let j = 0; j < grid; j++) {
    for (let i = 0; i < grid; i++) {
      const x = place(w, width, blockWidth, i);
      const y = place(h, height, blockHeight, j);
      const key = `${x},${y}`;
      if (seen.has(key)) continue;
      seen.add(key);
      windows.push({ x, y, width: w, height: h });
    }
  }
  return windows;
}

export async function rasterStatistics(source: RasterSource, options: StatisticsOptions): Promise<RasterStatistics> {
  const maxPixels = options.maxPixels ?? 16_000_000;
  const { level, width, height } = pickLevel(source, maxPixels);
  const bandCount = source.info.bandCount;
  const nodata = options.nodata;
  const nodataIsNaN = nodata !== null && Number.isNaN(nodata);
  const stats: BandStatistics[] = Array.from({ length: bandCount }, () => ({ min: null, max: null, validCount: 0, nodataCount: 0, nonFiniteCount: 0 }));
  const mins = new Float64Array(bandCount).fill(Infinity);
  const maxs = new Float64Array(bandCount).fill(-Infinity);
  let nodataPixels = 0;
  const block = level === 0 ? Math.max(1, source.info.blockHeight) : 1;
  let windows: { x: number; y: number; width: number; height: number }[];
  const sampled = width * height > maxPixels;
  if (sampled) {
    windows = sampleWindows(width, height, level === 0 ? source.info.blockWidth : 0, level === 0 ? source.info.blockHeight : 0, maxPixels);
  } else {
    windows = [];
    let rows = Math.max(1, Math.floor((options.windowPixels ?? 4_000_000) / width));
    if (rows > block) rows -= rows % block;
    for (let y = 0; y < height; y += rows) windows.push({ x: 0, y, width, height: Math.min(rows, height - y) });
  }
  let sampledPixels = 0;
  for (let k = 0; k < windows.length; k++) {
    const window = windows[k];
    const { bands } = await source.readWindow(window, { level });
    const bad = new Uint8Array(window.width * window.height);
    sampledPixels += bad.length;
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
    options.onProgress?.(sampled ? Math.round((height * (k + 1)) / windows.length) : window.y + window.height, height);
  }
  stats.forEach((s, b) => {
    if (s.validCount > 0) {
      s.min = mins[b];
      s.max = maxs[b];
    }
  });
  return { level, width, height, bands: stats, nodataPixels, nodataFraction: sampledPixels > 0 ? nodataPixels / sampledPixels : 0, sampledPixels, sampleWindows: sampled ? windows.length : 0 };
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
