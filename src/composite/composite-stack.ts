import { rm } from 'node:fs/promises';
import { createCogWriter } from '../raster/cog-writer.js';
import type { CogWriter, RasterSource, TypedArray, Window } from '../raster/types.js';
import { CLEAR, NODATA, SHADOW, type DecodedMask } from '../masks/mask-classes.js';
import { openMaskFile, type MaskFile } from '../masks/mask-reader.js';
import { fileBands, type ReflectanceImage, type ReflectanceStack } from '../raster/reflectance-stack.js';
import { describeGrid, sameGrid } from '../raster/grid-compare.js';
import { AutocmError } from '../util/errors.js';
import { CompositeAccumulator, type CompositeMethod } from './composite-methods.js';
import { dateKeyOf } from '../masks/file-keys.js';
import { listMaskFiles, matchMasks, type MaskMatch } from './mask-matching.js';

export interface CompositeOptions {
  output: string;
  /** Optional second output: clear observations per pixel (uint16). */
  countPath?: string;
  method: CompositeMethod;
  /**
   * An observation is clear where its cloud probability is below this. Default: per probability
   * file, the threshold its model was calibrated to (AUTOCM_THRESHOLD, written by predict), else 0.5.
   */
  threshold?: number;
  masksDir: string;
  /** Mask format for every mask (auto-detected per file when omitted). */
  maskFormat?: string;
  allowMissing?: boolean;
  /** Keep cloud-shadow pixels (class 2 of a mask) in the composite; default false: they are excluded like cloud. */
  keepShadows?: boolean;
  from?: Date;
  to?: Date;
  /** Ties of the best-observation method go to the date closest to this; the latest date without it. */
  targetDate?: Date;
  /** Side of the square windows processed at once (aligned with the output tiles). */
  windowSize?: number;
  /** Values (dates x bands x pixels) the median may hold at once; bounds its memory. */
  medianValueBudget?: number;
  onProgress?: (done: number, total: number) => void;
}

export interface CompositeSummary {
  output: string;
  count: string | null;
  method: CompositeMethod;
  /** The threshold of every used mask when they agree; the smallest when they do not (see `thresholds`). */
  threshold: number;
  /** The distinct thresholds used, ascending (one per model whose probabilities were composited). */
  thresholds: number[];
  width: number;
  height: number;
  bands: string[];
  from: string | null;
  to: string | null;
  /** Which mask went with which image (mask null: missing, image left out). */
  matches: (MaskMatch & { date: string | null; maskFormat: string | null })[];
  /** Images outside --from/--to. */
  outsideRange: string[];
}

const COMPOSITE_NODATA = Number.NaN;

/** Raw band values as float32 in the input's own units, NaN at the file's nodata. */
function toFloat(bands: TypedArray[], nodata: number | null): Float32Array[] {
  return bands.map((band) => {
    const out = new Float32Array(band.length);
    for (let i = 0; i < band.length; i++) {
      const v = band[i]!;
      out[i] = nodata !== null && v === nodata ? Number.NaN : v;
    }
    return out;
  });
}

/** Cloud probability of each pixel: the mask's probability, else 0 clear / 1 cloud or shadow (0 with `keepShadows`); NaN nodata. */
export function cloudProbability(mask: DecodedMask, keepShadows = false): Float32Array {
  if (mask.probability) return mask.probability;
  const p = new Float32Array(mask.classes.length);
  for (let i = 0; i < p.length; i++) {
    const c = mask.classes[i]!;
    p[i] = c === NODATA ? Number.NaN : c === CLEAR || (keepShadows && c === SHADOW) ? 0 : 1;
  }
  return p;
}

/** A shadow pixel of the class mask beside a probability counts as certain cloud. */
function excludeShadows(probability: Float32Array, classes: Uint8Array): void {
  for (let i = 0; i < probability.length; i++) if (classes[i] === SHADOW) probability[i] = 1;
}

/** The calibrated threshold predict recorded in an autocm probability file, if any. */
function modelThreshold(mask: MaskFile): number | undefined {
  if (!mask.isProbability) return undefined;
  const value = Number(mask.info.metadata.AUTOCM_THRESHOLD ?? Number.NaN);
  return Number.isFinite(value) && value > 0 && value <= 1 ? value : undefined;
}

function inRange(image: ReflectanceImage, from?: Date, to?: Date): boolean {
  if (!from && !to) return true;
  if (!image.date) throw new AutocmError('--from/--to need acquisition dates, and this image has none', image.source);
  return (!from || image.date >= from) && (!to || image.date <= to);
}

/**
 * Composites a stack with its masks onto the stack's common grid, window by window: the
 * method's mask-weighted mean (weights 1 - p), the median of clear observations, or the
 * clearest observation. Output: float32 in the input's units (no rescaling), NaN nodata where
 * no clear observation exists; optional uint16 count of clear observations.
 */
export async function compositeStack(stack: ReflectanceStack, options: CompositeOptions): Promise<CompositeSummary> {
  const inside = stack.images.filter((image) => inRange(image, options.from, options.to));
  const outsideRange = stack.images.filter((image) => !inside.includes(image)).map((image) => image.source);
  if (inside.length === 0) throw new AutocmError('no image of the stack lies within --from/--to', stack.images[0]?.source);
  const matches = matchMasks(
    inside.map((image) => ({ path: image.source, stem: image.id, date: image.date })),
    listMaskFiles(options.masksDir),
    options.allowMissing,
  );
  const used: { image: ReflectanceImage; source: RasterSource; mask: MaskFile; classes?: MaskFile; threshold: number }[] = [];
  const formats = new Map<string, string>();
  const thresholds: number[] = [];
  let composite: CogWriter | undefined;
  let count: CogWriter | undefined;
  let compositeWritten = false;
  try {
    for (const [t, image] of inside.entries()) {
      const maskPath = matches[t]!.mask;
      if (!maskPath) continue;
      const source = await image.open();
      const mask = await openMaskFile(maskPath, { format: options.maskFormat, threshold: options.threshold });
      const classesPath = options.keepShadows ? undefined : matches[t]!.classes;
      const classes = classesPath ? await openMaskFile(classesPath) : undefined;
      used.push({ image, source, mask, classes, threshold: options.threshold ?? modelThreshold(mask) ?? 0.5 });
      formats.set(maskPath, mask.format);
      const crsDiffers = mask.info.epsg !== null && source.info.epsg !== null && mask.info.epsg !== source.info.epsg;
      if (!sameGrid(mask.info, source.info) || crsDiffers) {
        throw new AutocmError(`mask and its image are on different grids: mask ${describeGrid(mask.info)}; image ${describeGrid(source.info)}`, maskPath);
      }
    }
    if (used.length === 0) throw new AutocmError('no image has a mask: nothing to composite', options.masksDir);
    thresholds.push(...[...new Set(used.map((u) => u.threshold))].sort((a, b) => a - b));
    const georeference = stack.georeference;
    const metadata = {
      AUTOCM_COMPOSITE_METHOD: options.method,
      AUTOCM_COMPOSITE_THRESHOLD: thresholds.join(','),
      AUTOCM_COMPOSITE_IMAGES: String(used.length),
    };
    composite = await createCogWriter(options.output, {
      width: stack.width,
      height: stack.height,
      bandCount: stack.bandNames.length,
      sampleType: 'float32',
      georeference,
      nodata: COMPOSITE_NODATA,
      bandDescriptions: stack.bandNames,
      overviewResampling: 'average',
      metadata,
    });
    if (options.countPath) {
      count = await createCogWriter(options.countPath, {
        width: stack.width,
        height: stack.height,
        bandCount: 1,
        sampleType: 'uint16',
        georeference,
        bandDescriptions: ['clear observations'],
        overviewResampling: 'nearest',
        metadata,
      });
    }
    await compositeWindows(stack, used, options, composite, count);
    await composite.finish();
    compositeWritten = true;
    await count?.finish();
  } catch (error) {
    // No composite without the count asked for beside it.
    await Promise.allSettled([composite?.abort(), count?.abort(), compositeWritten ? rm(options.output, { force: true }) : undefined]);
    throw error;
  } finally {
    await Promise.allSettled(used.flatMap((u) => [u.source.close(), u.mask.close(), ...(u.classes ? [u.classes.close()] : [])]));
  }
  return {
    output: options.output,
    count: options.countPath ?? null,
    method: options.method,
    threshold: thresholds[0]!,
    thresholds,
    width: stack.width,
    height: stack.height,
    bands: stack.bandNames,
    from: options.from ? dateKeyOf(options.from) : null,
    to: options.to ? dateKeyOf(options.to) : null,
    matches: matches.map((m, t) => ({ ...m, date: inside[t]!.date ? dateKeyOf(inside[t]!.date!) : null, maskFormat: m.mask ? (formats.get(m.mask) ?? null) : null })),
    outsideRange,
  };
}

async function compositeWindows(
  stack: ReflectanceStack,
  used: { image: ReflectanceImage; source: RasterSource; mask: MaskFile; classes?: MaskFile; threshold: number }[],
  options: CompositeOptions,
  composite: CogWriter,
  count: CogWriter | undefined,
): Promise<void> {
  const size = options.windowSize ?? 512;
  const bandCount = stack.bandNames.length;
  // The median keeps every clear value of a sub-window: its rows are bounded by the budget.
  const budget = options.medianValueBudget ?? 8_000_000;
  const rank = (image: ReflectanceImage, t: number) =>
    options.targetDate && image.date ? Math.abs(image.date.getTime() - options.targetDate.getTime()) : image.date ? -image.date.getTime() : -t;
  const total = Math.ceil(stack.width / size) * Math.ceil(stack.height / size);
  let done = 0;
  for (let y0 = 0; y0 < stack.height; y0 += size) {
    for (let x0 = 0; x0 < stack.width; x0 += size) {
      const width = Math.min(size, stack.width - x0);
      const height = Math.min(size, stack.height - y0);
      const rowsPerPass = options.method === 'median' ? Math.max(1, Math.floor(budget / (used.length * bandCount * width))) : height;
      for (let y = y0; y < y0 + height; y += rowsPerPass) {
        const window: Window = { x: x0, y, width, height: Math.min(rowsPerPass, y0 + height - y) };
        const accumulator = new CompositeAccumulator(options.method, bandCount, window.width * window.height, used[0]!.threshold);
        for (const [t, { image, source, mask, classes, threshold }] of used.entries()) {
          const own: Window = { ...window, x: window.x + image.offset.x, y: window.y + image.offset.y };
          const { bands } = await source.readWindow(own, { bands: fileBands(image) });
          const decoded = await mask.read(own);
          const cloud = cloudProbability(decoded, options.keepShadows ?? false);
          if (classes) excludeShadows(cloud, (await classes.read(own)).classes);
          accumulator.add(toFloat(bands, image.nodata !== undefined ? image.nodata : source.info.nodata), cloud, rank(image, t), threshold);
        }
        const result = accumulator.result();
        await composite.writeWindow({ window, bands: result.bands });
        if (count) await count.writeWindow({ window, bands: [result.count] });
      }
      options.onProgress?.(++done, total);
    }
  }
}
