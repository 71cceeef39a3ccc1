import type { RasterSource, Window } from '../raster/types.js';
import { AutocmError } from '../util/errors.js';
import type { BaselineClasses, BaselineScores, FittedBaseline, ReflectanceStrip, SampledBaseline } from './baseline-types.js';
import { readReflectance, type ReflectanceImage, type ReflectanceStack } from '../raster/reflectance-stack.js';
import { MaskOutputWriter, type MaskOutputPaths } from './mask-outputs.js';

export interface BaselineRunOptions {
  outDir: string;
  /** Rows per strip (memory bound per image). */
  stripRows?: number;
  /** Pixels sampled to fit a sampled baseline. */
  maxSamples?: number;
  metadata?: Record<string, string>;
  onImage?: (done: number, total: number) => void;
}

export interface BaselineImageResult {
  image: string;
  outputs: MaskOutputPaths;
  fitted: Record<string, unknown>;
}

type PerImageFactory = (bandNames: string[], file: string) => FittedBaseline | SampledBaseline;

function isSampled(b: FittedBaseline | SampledBaseline): b is SampledBaseline {
  return 'fit' in b;
}

async function readStrip(image: ReflectanceImage, source: RasterSource, y: number, rows: number, halo: number): Promise<ReflectanceStrip> {
  const { width, height } = source.info;
  const top = Math.min(halo, y);
  const bottom = Math.min(halo, height - y - rows);
  const window: Window = { x: 0, y: y - top, width, height: rows + top + bottom };
  return { width, rows: window.height, haloTop: top, haloBottom: bottom, bands: await readReflectance(image, source, window) };
}

/** Takes every `step`-th valid pixel (all feature columns finite) of a strip's features, by global pixel index. */
function samplePixels(features: Float32Array[], firstIndex: number, step: number, into: number[][]): void {
  const n = features[0]!.length;
  const start = (step - (firstIndex % step)) % step;
  for (let i = start; i < n; i += step) {
    if (features.some((f) => !Number.isFinite(f[i]!))) continue;
    features.forEach((f, j) => into[j]!.push(f[i]!));
  }
}

/**
 * Runs a per-image baseline over every image of the stack on the image's own grid: a
 * sampling pass to fit (for HOT and DEC), then a scoring pass strip by strip into predict's
 * two outputs.
 */
export async function runPerImageBaseline(
  name: string,
  stack: ReflectanceStack,
  factory: PerImageFactory,
  classes: BaselineClasses,
  options: BaselineRunOptions,
): Promise<BaselineImageResult[]> {
  const results: BaselineImageResult[] = [];
  const stripRows = options.stripRows ?? 512;
  for (const [index, image] of stack.images.entries()) {
    const source = await image.open();
    try {
      const { width, height } = source.info;
      const made = factory(image.bandNames, image.source);
      let fitted: FittedBaseline;
      if (isSampled(made)) {
        const step = Math.max(1, Math.ceil((width * height) / (options.maxSamples ?? 50_000)));
        const sample: number[][] = [];
        for (let y = 0; y < height; y += stripRows) {
          const strip = await readStrip(image, source, y, Math.min(stripRows, height - y), made.halo);
          const features = made.features(strip);
          while (sample.length < features.length) sample.push([]);
          samplePixels(features, y * width, step, sample);
        }
        fitted = await made.fit(sample.map((column) => Float32Array.from(column)));
      } else fitted = made;
      const info = source.info;
      const writer = await MaskOutputWriter.create(
        options.outDir,
        image.id,
        { width, height, georeference: { geoTransform: info.geoTransform, epsg: info.epsg, geoKeys: info.geoKeys } },
        { ...options.metadata, AUTOCM_BASELINE: name, AUTOCM_BASELINE_FIT: JSON.stringify(fitted.fitted) },
        classes,
      );
      try {
        for (let y = 0; y < height; y += stripRows) {
          const rows = Math.min(stripRows, height - y);
          const strip = await readStrip(image, source, y, rows, fitted.halo);
          await writer.writeWindow({ x: 0, y, width, height: rows }, fitted.score(strip));
        }
        await writer.finish();
      } catch (error) {
        await writer.abort();
        throw error;
      }
      results.push({ image: image.source, outputs: writer.paths, fitted: fitted.fitted });
    } finally {
      await source.close();
    }
    options.onImage?.(index + 1, stack.images.length);
  }
  return results;
}

export const MULTI_DATE_TILE = 512;

/** Scores one window of every date: `dates[t][b]` (NaN = nodata) -> per-date scores, plus counts to add up. */
export type MultiDateScorer = (dates: Float32Array[][]) => { scores: BaselineScores[]; counts?: Record<string, number> };

/**
 * Runs a multi-temporal baseline (temporal-mad, tmask) over the stack's common grid, in 512 x 512
 * windows aligned with the output tiles: memory is a window x the stack length x the bands read.
 * Outputs are on the stack's common grid; the scorer's counts are summed over windows and
 * reported in every result's `fitted`.
 */
export async function runMultiDateBaseline(
  name: string,
  stack: ReflectanceStack,
  bandIndices: number[],
  scorer: MultiDateScorer,
  fit: Record<string, unknown>,
  options: BaselineRunOptions,
  file: string,
): Promise<BaselineImageResult[]> {
  if (stack.images.length < 3) throw new AutocmError(`the ${name} baseline needs a stack of at least 3 dates, got ${stack.images.length}`, file);
  const sources: RasterSource[] = [];
  const writers: MaskOutputWriter[] = [];
  try {
    for (const image of stack.images) sources.push(await image.open());
    for (const image of stack.images) {
      writers.push(
        await MaskOutputWriter.create(
          options.outDir,
          image.id,
          { width: stack.width, height: stack.height, georeference: stack.georeference },
          { ...options.metadata, AUTOCM_BASELINE: name, AUTOCM_BASELINE_FIT: JSON.stringify(fit) },
          'clear,cloud,shadow',
        ),
      );
    }
    const windows = Math.ceil(stack.width / MULTI_DATE_TILE) * Math.ceil(stack.height / MULTI_DATE_TILE);
    const counts: Record<string, number> = {};
    let done = 0;
    for (let y = 0; y < stack.height; y += MULTI_DATE_TILE) {
      for (let x = 0; x < stack.width; x += MULTI_DATE_TILE) {
        const window: Window = { x, y, width: Math.min(MULTI_DATE_TILE, stack.width - x), height: Math.min(MULTI_DATE_TILE, stack.height - y) };
        const dates: Float32Array[][] = [];
        for (const [t, image] of stack.images.entries()) {
          const source = sources[t]!;
          dates.push(await readReflectance(image, source, { ...window, x: x + image.offset.x, y: y + image.offset.y }, bandIndices));
        }
        const result = scorer(dates);
        for (const [key, v] of Object.entries(result.counts ?? {})) counts[key] = (counts[key] ?? 0) + v;
        for (const [t, writer] of writers.entries()) await writer.writeWindow(window, result.scores[t]!);
        options.onImage?.(++done, windows);
      }
    }
    for (const writer of writers) await writer.finish();
    const fitted = Object.keys(counts).length ? { ...fit, pixels: counts } : fit;
    return stack.images.map((image, t) => ({ image: image.source, outputs: writers[t]!.paths, fitted }));
  } catch (error) {
    await Promise.allSettled(writers.map((w) => w.abort()));
    throw error;
  } finally {
    await Promise.allSettled(sources.map((s) => s.close()));
  }
}

export type { ReflectanceImage };
