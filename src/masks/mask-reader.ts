import { openRaster } from '../raster/open.js';
import type { RasterInfo, RasterSource, Window } from '../raster/types.js';
import { AutocmError } from '../util/errors.js';
import type { DecodedMask } from './mask-classes.js';
import { detectMaskFormat, type ValueSample } from './format-detect.js';
import {
  bandsNeeded,
  decodeMask,
  defaultThreshold,
  formatHasShadow,
  isMaskFormat,
  isProbabilityFormat,
  supportedFormatsText,
  type MaskFormat,
} from './mask-formats.js';

/** A mask file of any supported format, read window by window as common classes. */
export interface MaskFile {
  path: string;
  info: RasterInfo;
  format: MaskFormat;
  hasShadow: boolean;
  isProbability: boolean;
  threshold: number;
  read(window: Window): Promise<DecodedMask>;
  close(): Promise<void>;
}

export interface OpenMaskOptions {
  /** A format name, or undefined / 'auto' to detect it. */
  format?: string;
  /** Probability threshold in [0, 1]; the format's default when omitted. */
  threshold?: number;
}

const SAMPLE_ROWS_PER_STRIP = 16;
const MAX_SAMPLED_STRIPS = 64;
const MAX_DISTINCT = 300;

/** Distinct values of band 1 over evenly spaced strips (the whole file when small). */
export async function sampleFirstBand(source: RasterSource): Promise<ValueSample> {
  const { width, height, nodata } = source.info;
  const strips = Math.ceil(height / SAMPLE_ROWS_PER_STRIP);
  const step = Math.max(1, Math.ceil(strips / MAX_SAMPLED_STRIPS));
  const distinct = new Set<number>();
  let min = Infinity;
  let max = -Infinity;
  for (let s = 0; s < strips; s += step) {
    const y = s * SAMPLE_ROWS_PER_STRIP;
    const rows = Math.min(SAMPLE_ROWS_PER_STRIP, height - y);
    const { bands } = await source.readWindow({ x: 0, y, width, height: rows }, { bands: [0] });
    for (const v of bands[0]!) {
      if ((nodata !== null && v === nodata) || Number.isNaN(v)) continue;
      if (v < min) min = v;
      if (v > max) max = v;
      if (distinct.size < MAX_DISTINCT) distinct.add(v);
    }
  }
  return { distinct, min, max };
}

export function parseMaskFormat(name: string | undefined, file: string): MaskFormat | undefined {
  if (name === undefined || name === 'auto') return undefined;
  if (!isMaskFormat(name)) throw new AutocmError(`unknown mask format "${name}"; supported: ${supportedFormatsText()}`, file);
  return name;
}

export async function openMaskFile(path: string, options: OpenMaskOptions = {}): Promise<MaskFile> {
  const source = await openRaster(path);
  try {
    const info = source.info;
    const format = parseMaskFormat(options.format, path) ?? detectMaskFormat(path, info, await lazySample(source, path));
    const needed = bandsNeeded(format);
    if (info.bandCount < needed.length) {
      throw new AutocmError(`format ${format} needs ${needed.length} bands, the file has ${info.bandCount}`, path);
    }
    const threshold = options.threshold ?? defaultThreshold(format);
    return {
      path,
      info,
      format,
      hasShadow: formatHasShadow(format, info),
      isProbability: isProbabilityFormat(format),
      threshold,
      async read(window) {
        const { bands } = await source.readWindow(window, { bands: needed });
        return decodeMask(format, bands, window.width, window.height, { nodata: info.nodata, threshold });
      },
      close: () => source.close(),
    };
  } catch (error) {
    await source.close();
    throw error;
  }
}

/** Only sampled when the band count and name do not settle the format already. */
async function lazySample(source: RasterSource, path: string): Promise<ValueSample> {
  const name = path.toLowerCase();
  if (source.info.bandCount === 8 || /_cloud(prob|mask)\.tiff?$/.test(name)) return { distinct: new Set(), min: 0, max: 0 };
  return sampleFirstBand(source);
}
