import type { RasterSource, Window } from '../raster/types.js';
import { ValueSample } from './value-sample.js';

/** The reference per-image percentile stretch: (v - lo) / (hi - lo) clipped to [0, 1]. */
export interface ImageStretch {
  lo: number;
  hi: number;
  /** 'full': every pixel (equals the reference); 'overview': a reduced-resolution level; 'windows': a grid of windows. */
  from: 'full' | 'overview' | 'windows';
  /** Number of values the percentiles were computed from. */
  values: number;
}

export interface StretchOptions {
  lowPercentile?: number;
  highPercentile?: number;
  /** Images (or overviews) up to this many pixels are read whole; larger ones are sampled. */
  fullReadPixels?: number;
  /** Side of each sample window, and how many pixels the window grid takes in all. */
  sampleWindow?: number;
  samplePixels?: number;
  /** Nodata value to leave out; default: the file's. */
  nodata?: number | null;
}

const defaults = { lowPercentile: 2, highPercentile: 98, fullReadPixels: 8 * 1024 * 1024, sampleWindow: 256, samplePixels: 4 * 1024 * 1024 };

/**
 * The stretch of one IMAGE, computed once before tiling (a stretch per tile would put seams
 * between tiles): exact from every pixel when the image is small, else from the largest
 * overview that is small enough, else from an evenly spread grid of windows.
 * Returns null when the image has no valid (positive, non-nodata) value at all.
 */
export async function computeImageStretch(source: RasterSource, bands: number[], options: StretchOptions = {}): Promise<ImageStretch | null> {
  const o = { ...defaults, ...options };
  const { width, height, sampleType, overviews } = source.info;
  const sample = new ValueSample(sampleType, options.nodata === undefined ? source.info.nodata : options.nodata);
  let from: ImageStretch['from'];
  if (width * height <= o.fullReadPixels) {
    await addWholeLevel(source, bands, 0, width, height, sample);
    from = 'full';
  } else {
    const overviewIndex = overviews.findIndex((level) => level.width * level.height <= o.fullReadPixels && level.width * level.height >= o.samplePixels / 4);
    if (overviewIndex >= 0) {
      const level = overviews[overviewIndex]!;
      await addWholeLevel(source, bands, overviewIndex + 1, level.width, level.height, sample);
      from = 'overview';
    } else {
      for (const window of sampleWindows(width, height, o.sampleWindow, o.samplePixels)) {
        const data = await source.readWindow(window, { bands });
        for (const band of data.bands) sample.add(band);
      }
      from = 'windows';
    }
  }
  const percentiles = sample.percentiles([o.lowPercentile, o.highPercentile]);
  if (!percentiles) return null;
  return { lo: percentiles[0]!, hi: percentiles[1]!, from, values: sample.count };
}

async function addWholeLevel(source: RasterSource, bands: number[], level: number, width: number, height: number, sample: ValueSample): Promise<void> {
  // Strips of rows keep memory bounded for wide images.
  const rowsPerStrip = Math.max(1, Math.floor((1 << 22) / width));
  for (let y = 0; y < height; y += rowsPerStrip) {
    const data = await source.readWindow({ x: 0, y, width, height: Math.min(rowsPerStrip, height - y) }, { bands, level });
    for (const band of data.bands) sample.add(band);
  }
}

/** An evenly spread grid of square windows (clamped to the image) covering about `samplePixels`. */
export function sampleWindows(width: number, height: number, side: number, samplePixels: number): Window[] {
  const w = Math.min(side, width);
  const h = Math.min(side, height);
  const perAxis = Math.max(1, Math.round(Math.sqrt(samplePixels / (w * h))));
  const columns = Math.min(perAxis, Math.ceil(width / w));
  const rows = Math.min(perAxis, Math.ceil(height / h));
  const windows: Window[] = [];
  for (let r = 0; r < rows; r++) {
    const y = rows === 1 ? Math.floor((height - h) / 2) : Math.round((r * (height - h)) / (rows - 1));
    for (let c = 0; c < columns; c++) {
      const x = columns === 1 ? Math.floor((width - w) / 2) : Math.round((c * (width - w)) / (columns - 1));
      windows.push({ x, y, width: w, height: h });
    }
  }
  return windows;
}
