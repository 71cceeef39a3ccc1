import { openRaster } from '../../raster/open.js';
import { readReflectance, type ReflectanceImage } from '../../raster/reflectance-stack.js';
import type { CogWriter, RasterSource, TypedArray } from '../../raster/types.js';
import { CLEAR, CLOUD, MASK_NODATA, StreamingClassDilation } from '../class-dilation.js';
import { probabilityNodata, type ProbabilityFormat } from '../scene-predictor.js';
import { bandIndex, cloudSensitiveBand } from '../../baselines/band-roles.js';
import { stackProbability, stripAgreement, type StackStrip } from './stack-features.js';
import type { StackRule } from './stack-rule.js';
import { agreementOf, noAgreementCounts } from './temporal-outlier.js';

/** One date as the stack pass reads it: its reflectance (model bands) and its single-image probability (float32 COG). */
export interface StackPassDate {
  image: ReflectanceImage;
  singleProbability: string;
  writers: { probability: CogWriter; mask: CogWriter };
}

export interface StackPassOptions {
  width: number;
  height: number;
  rule: StackRule;
  threshold: number;
  buffer: number;
  /** Per-date buffer overriding `buffer` (0 for dates whose cloud-only mask feeds the shadow pass). */
  dateBuffers?: number[];
  format: ProbabilityFormat;
  /** Multi-band uint8 writer: band t = valid other dates date t's pixels used (0 = single-image). */
  datesWriter: CogWriter;
  /** Bytes the strip's per-date arrays may take (default 256 MiB); sets the strip height. */
  memoryBudget?: number;
  onStrip?: (done: number, total: number) => void;
}

export interface StackPassStatistics {
  /** Per date: valid pixels, cloud pixels (after the buffer), pixels that fell back to the single-image probability. */
  dates: { valid: number; cloud: number; fallback: number }[];
  stripRows: number;
  /** Dice agreement of the network's and the temporal outlier test's cloud over the stack (null: the rule never uses it). */
  outlierAgreement: number | null;
  /** Whether that agreement reached the rule's gate, so the outlier test added cloud. */
  outliersTrusted: boolean;
  /** Share of the valid pixel-dates decided by the long-series test (0 where it is off or never applies). */
  seasonalModelShare: number;
}

/** Bytes per pixel and date the strip holds: brightness, sensitive band, single p, features (4 floats + count), fused p, mask. */
const BYTES_PER_PIXEL_DATE = 4 * 9 + 2;
/** And with the long-series test: its two bands and two residuals. */
const LONG_SERIES_BYTES_PER_PIXEL_DATE = 4 * 4;

/** Rows per strip for this many dates of this width within the budget (8 to 512). */
export function stripRowsFor(width: number, dates: number, budget: number, longSeries = false): number {
  const bytes = BYTES_PER_PIXEL_DATE + (longSeries ? LONG_SERIES_BYTES_PER_PIXEL_DATE : 0);
  return Math.max(8, Math.min(512, Math.floor(budget / (width * dates * bytes))));
}

/**
 * Second pass of `predict --stack`: full-width strips of every date at once, so memory depends on
 * strip height x width x dates, never on the scene's height. Each strip: read reflectance (mean
 * over the model's bands) and single-image probability of every date, fuse (stack-features.ts),
 * threshold, dilate (streaming, per date) and write. When the rule has an agreement gate, a first
 * read of the strips (no writing) measures the stack's network / outlier-test agreement.
 */
export async function runStackPass(dates: StackPassDate[], options: StackPassOptions): Promise<StackPassStatistics> {
  const { width, height } = options;
  const harmonic = options.rule.harmonicDelta > 0 ? harmonicBandsOf(dates.map((d) => d.image)) : undefined;
  const stripRows = stripRowsFor(width, dates.length, options.memoryBudget ?? 256 * 2 ** 20, harmonic !== undefined);
  const dilations = dates.map((_, t) => new StreamingClassDilation(width, height, options.dateBuffers?.[t] ?? options.buffer, 0));
  const statistics: StackPassStatistics = { dates: dates.map(() => ({ valid: 0, cloud: 0, fallback: 0 })), stripRows, outlierAgreement: null, outliersTrusted: false, seasonalModelShare: 0 };
  let seasonal = 0;
  const sources: { image: RasterSource; probability: RasterSource }[] = [];
  try {
    for (const date of dates) sources.push({ image: await date.image.open(), probability: await openRaster(date.singleProbability) });
    const total = Math.ceil(height / stripRows);
    if (options.rule.agreementGate <= 1) {
      const counts = noAgreementCounts();
      for (let y = 0; y < height; y += stripRows) stripAgreement(await readStrip(dates, sources, y, Math.min(stripRows, height - y), width, undefined), options.rule, options.threshold, counts);
      statistics.outlierAgreement = agreementOf(counts);
      statistics.outliersTrusted = statistics.outlierAgreement >= options.rule.agreementGate;
    }
    for (let y = 0, done = 0; y < height; y += stripRows, done++) {
      const rows = Math.min(stripRows, height - y);
      const strip = await readStrip(dates, sources, y, rows, width, harmonic);
      const fused = stackProbability(strip, options.rule, options.threshold, statistics.outliersTrusted);
      seasonal += fused.seasonal;
      for (let t = 0; t < dates.length; t++) {
        const { probability, mask } = encode(fused.probability[t]!, fused.dates[t]!, options, statistics.dates[t]!);
        const final = dilations[t]!.push(mask);
        for (let i = 0; i < final.rows.length; i++) if (final.rows[i] === CLOUD) statistics.dates[t]!.cloud++;
        await dates[t]!.writers.probability.writeWindow({ window: { x: 0, y, width, height: rows }, bands: [probability] });
        const maskHeight = final.rows.length / width;
        if (maskHeight > 0) await dates[t]!.writers.mask.writeWindow({ window: { x: 0, y: final.y, width, height: maskHeight }, bands: [final.rows] });
      }
      await options.datesWriter.writeWindow({ window: { x: 0, y, width, height: rows }, bands: fused.dates });
      options.onStrip?.(done + 1, total);
    }
  } finally {
    await Promise.all(sources.flatMap((s) => [s.image.close(), s.probability.close()]));
  }
  const valid = statistics.dates.reduce((sum, d) => sum + d.valid, 0);
  statistics.seasonalModelShare = valid > 0 ? seasonal / valid : 0;
  return statistics;
}

/**
 * The long-series test's bands (among those read: the model's) and days, or undefined where they
 * lack a visible band or SWIR1, or a date has no acquisition date.
 */
export function harmonicBandsOf(images: { bandNames: string[]; date: Date | null }[]): { cloud: number; swir1: number; days: number[] } | undefined {
  const first = images[0];
  if (!first || images.some((image) => !image.date)) return undefined;
  const cloud = [bandIndex(first.bandNames, 'green'), bandIndex(first.bandNames, 'red'), bandIndex(first.bandNames, 'blue')].find((i) => i >= 0) ?? -1;
  const swir1 = bandIndex(first.bandNames, 'swir1', 'swir16');
  if (cloud < 0 || swir1 < 0) return undefined;
  const start = Math.min(...images.map((image) => image.date!.getTime()));
  return { cloud, swir1, days: images.map((image) => (image.date!.getTime() - start) / 86_400_000) };
}

async function readStrip(
  dates: StackPassDate[],
  sources: { image: RasterSource; probability: RasterSource }[],
  y: number,
  rows: number,
  width: number,
  harmonicBands: ReturnType<typeof harmonicBandsOf>,
): Promise<StackStrip> {
  const strip: StackStrip = { brightness: [], sensitive: [], probability: [] };
  if (harmonicBands) strip.harmonic = { cloud: [], swir1: [], days: harmonicBands.days };
  for (let t = 0; t < dates.length; t++) {
    const { image } = dates[t]!;
    const window = { x: image.offset.x, y: image.offset.y + y, width, height: rows };
    const bands = await readReflectance(image, sources[t]!.image, window);
    const brightness = new Float32Array(width * rows);
    for (const band of bands) for (let i = 0; i < brightness.length; i++) brightness[i] += band[i]! / bands.length;
    strip.brightness.push(brightness);
    strip.sensitive.push(bands[cloudSensitiveBand(image.bandNames)]!);
    if (harmonicBands) {
      strip.harmonic!.cloud.push(bands[harmonicBands.cloud]!);
      strip.harmonic!.swir1.push(bands[harmonicBands.swir1]!);
    }
    const { bands: [p] } = await sources[t]!.probability.readWindow(window);
    strip.probability.push(p instanceof Float32Array ? p : Float32Array.from(p as TypedArray));
  }
  return strip;
}

function encode(p: Float32Array, used: Uint8Array, options: StackPassOptions, counts: { valid: number; fallback: number }): { probability: TypedArray; mask: Uint8Array } {
  const probability = options.format === 'uint8' ? new Uint8Array(p.length) : new Float32Array(p.length);
  const mask = new Uint8Array(p.length);
  const nodata = probabilityNodata[options.format];
  for (let i = 0; i < p.length; i++) {
    const v = p[i]!;
    if (Number.isNaN(v)) {
      probability[i] = nodata;
      mask[i] = MASK_NODATA;
      used[i] = 255;
      continue;
    }
    counts.valid++;
    if (used[i] === 0) counts.fallback++;
    probability[i] = options.format === 'uint8' ? Math.round(v * 100) : v;
    mask[i] = v >= options.threshold ? CLOUD : CLEAR;
  }
  return { probability, mask };
}
