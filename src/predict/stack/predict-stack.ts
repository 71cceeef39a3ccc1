import { mkdtemp, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { loadModel } from '../../model/weights.js';
import { createCogWriter } from '../../raster/cog-writer.js';
import { reflectanceImageOf } from '../../raster/reflectance-stack.js';
import { openStack } from '../../raster/stack.js';
import type { CogWriter } from '../../raster/types.js';
import { AutocmError } from '../../util/errors.js';
import { refuseOverwritingInputs } from '../../util/input-guard.js';
import { progressBar } from '../../util/progress.js';
import { version } from '../../version.js';
import { predictionInputOf } from '../inputs.js';
import { checkDistinctStems, exists, outputPathsFor, prepareOutputDirectory, type OutputPaths } from '../output-paths.js';
import { predictDefaults, predictImageList, type PredictOptions, type PredictSummary } from '../predict-images.js';
import { outputWriterOptions } from '../scene-setup.js';
import { runStackPass } from './stack-pass.js';
import { onStackGrid, stackReference } from './stack-shadows.js';
import { openRaster } from '../../raster/open.js';
import { temporaryPathFor } from '../../util/atomic.js';
import { usableSun } from '../../shadow/index.js';
import { shadowBandsOf, shadowProbabilityWriterOptions, shadowSetup, sunFromMetadata } from '../shadow-setup.js';
import { shadowPass } from '../shadow-pass.js';
import { shadowProbabilityPathFor } from '../output-paths.js';
import type { RasterSource } from '../../raster/types.js';
import { orderStackDates, type StackOrder } from './stack-order.js';
import { loadStackRule, type StackRule } from './stack-rule.js';

export interface StackPredictOptions extends PredictOptions {
  order?: StackOrder;
  /** Fusion rule JSON (default: beside the model, else models/stack-rule.json). */
  stackRule?: string;
  /** Bytes the stack pass's strips may take (default 256 MiB). */
  memoryBudget?: number;
}

export interface StackDateSummary {
  input: string;
  id: string;
  date: string | null;
  outputs: OutputPaths;
  cloudFraction: number | null;
  /** Valid pixels whose other dates were too few: they kept the single-image probability. */
  fallbackFraction: number | null;
  singleCloudFraction: number | null;
  /** Shadow pixels (after the buffer) over valid pixels; absent when shadows were not detected. */
  shadowFraction?: number | null;
  /** How the shadow direction was found: 'sun', 'search', 'none'. */
  shadowDirection?: string;
  /** `<stem>_shadowprob.tif` when written. */
  shadowProbability?: string;
  skipped?: string;
}

export interface StackPredictSummary {
  model: string;
  threshold: number;
  buffer: number;
  format: PredictSummary['format'];
  rule: StackRule & { source: string };
  /** Multi-band uint8 COG: band t = valid other dates date t's pixels used (0: single-image; 255 nodata). */
  datesUsed: string;
  dates: StackDateSummary[];
  stripRows: number;
  /** Network / temporal outlier test agreement (Dice) over the stack, and whether it reached the rule's gate. */
  outlierAgreement: number | null;
  outliersTrusted: boolean;
  /** Share of the valid pixel-dates that the long-series test (Tmask's seasonal model + SWIR1) decided. */
  seasonalModelShare: number;
  seconds: number;
  peakRssMiB: number;
}

/** Name of the sidecar that records how many other dates each pixel of each date used. */
export const DATES_USED_FILE = 'stack_dates_used.tif';

/**
 * `predict --stack`: every date's probability from the network AND the other dates. Pass 1 runs
 * the single-image predictor on every date into a temporary folder (float32); pass 2
 * (stack-pass.ts) streams strips of all dates, fuses, and writes the usual outputs.
 */
export async function predictStack(inputs: string[], options: StackPredictOptions): Promise<StackPredictSummary> {
  const started = performance.now();
  const warn = options.warn ?? ((message: string) => process.stderr.write(`autocm: warning: ${message}\n`));
  const model = await loadModel(options.model);
  const threshold = options.threshold ?? model.metadata.threshold ?? predictDefaults.threshold;
  const format = options.format ?? predictDefaults.format;
  const buffer = options.buffer ?? predictDefaults.buffer;
  const stack = await openStack(inputs, { sensor: options.sensor, bands: model.metadata.bands });
  const images = await orderStackDates(stack, inputs, options.order ?? 'date', options.sensor);
  checkDistinctStems(images);
  const { rule, source: ruleSource } = loadStackRule(options.stackRule, options.model);
  const outputs = images.map((image) => outputPathsFor(options.outputDirectory, image.id));
  const datesUsed = join(options.outputDirectory, DATES_USED_FILE);
  await refuseOverwritingInputs([...outputs.flatMap((o) => [o.probability, o.mask]), ...images.map((image) => shadowProbabilityPathFor(options.outputDirectory, image.id)), datesUsed], [options.model, ...images.flatMap((i) => i.files)]);
  if (!options.overwrite) {
    for (const path of [...outputs.flatMap((o) => [o.probability, o.mask]), datesUsed]) {
      if (await exists(path)) throw new AutocmError('exists: pass --overwrite to replace the outputs of a stack', path);
    }
  }
  await prepareOutputDirectory(options.outputDirectory);
  const scratch = await mkdtemp(join(options.outputDirectory, '.autocm-stack-'));
  try {
    const single = await predictImageList(images.map(predictionInputOf), model, {
      ...options,
      outputDirectory: scratch,
      threshold,
      format: 'float32',
      buffer: 0,
      // Shadows come after the stack pass, against the other dates' clear-sky composite.
      shadows: false,
      shadowProbability: false,
      overwrite: true,
      warn,
    });
    const skipped = new Set<number>();
    single.images.forEach((summary, t) => {
      if (summary.nodataFraction === 1) {
        skipped.add(t);
        warn(`${summary.input}: every pixel is nodata; the date is skipped in the stack (its outputs are all nodata)`);
      }
    });
    if (images.length - skipped.size < 2) throw new AutocmError(`--stack needs at least 2 dates with valid pixels, got ${images.length - skipped.size}`, images[0]!.source);
    const written = await writeStack(images, single, outputs, datesUsed, { ...options, threshold, format, buffer, rule, ruleSource, stackWidth: stack.width, stackHeight: stack.height, georeference: stack.georeference, bandNames: stack.bandNames });
    return {
      model: options.model,
      threshold,
      buffer,
      format,
      rule: { ...rule, source: ruleSource },
      datesUsed,
      dates: images.map((image, t) => {
        const s = written.dates[t]!;
        return {
          input: image.source,
          id: image.id,
          date: image.date?.toISOString().slice(0, 10) ?? null,
          outputs: outputs[t]!,
          cloudFraction: s.valid > 0 ? s.cloud / s.valid : null,
          fallbackFraction: s.valid > 0 ? s.fallback / s.valid : null,
          singleCloudFraction: single.images[t]!.cloudFraction ?? null,
          ...(s.shadowPixels !== undefined ? { shadowFraction: s.valid > 0 ? s.shadowPixels / s.valid : null, shadowDirection: s.shadowDirection } : {}),
          ...(s.shadowProbability ? { shadowProbability: s.shadowProbability } : {}),
          ...(skipped.has(t) ? { skipped: 'all nodata' } : {}),
        };
      }),
      stripRows: written.stripRows,
      outlierAgreement: written.outlierAgreement,
      outliersTrusted: written.outliersTrusted,
      seasonalModelShare: written.seasonalModelShare,
      seconds: (performance.now() - started) / 1000,
      peakRssMiB: process.resourceUsage().maxRSS / 1024,
    };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

type WriteOptions = StackPredictOptions & {
  threshold: number;
  format: PredictSummary['format'];
  buffer: number;
  rule: StackRule;
  ruleSource: string;
  stackWidth: number;
  stackHeight: number;
  georeference: import('../../raster/types.js').Georeference;
  bandNames: string[];
};

async function writeStack(
  images: Awaited<ReturnType<typeof orderStackDates>>,
  single: PredictSummary,
  outputs: OutputPaths[],
  datesUsed: string,
  o: WriteOptions,
): Promise<{ dates: (Awaited<ReturnType<typeof runStackPass>>['dates'][number] & { shadowPixels?: number; shadowDirection?: string; shadowProbability?: string })[]; stripRows: number; outlierAgreement: number | null; outliersTrusted: boolean; seasonalModelShare: number }> {
  const writers: CogWriter[] = [];
  const finished: string[] = [];
  const temporary: string[] = [];
  const opened: RasterSource[] = [];
  const warn = o.warn ?? ((message: string) => process.stderr.write(`autocm: warning: ${message}\n`));
  // As single-image predict: shadows wherever a date has NIR (cloud only, with a warning, where not).
  const shadowBands = images.map((image) => (o.shadows === false ? null : shadowBandsOf(image.bandNames)));
  images.forEach((image, t) => {
    if (o.shadows !== false && !shadowBands[t]) warn(`${image.source}: no NIR band, so no cloud shadows (the mask has cloud only)`);
  });
  const shadowBuffer = o.shadowBuffer ?? o.buffer;
  const ruleText = JSON.stringify({ ...o.rule, source: basename(o.ruleSource) });
  let bar: ReturnType<typeof progressBar> | undefined;
  try {
    const dates = [];
    for (let t = 0; t < images.length; t++) {
      const image = images[t]!;
      const metadata = {
        AUTOCM_VERSION: version,
        AUTOCM_MODEL: basename(o.model),
        AUTOCM_INPUT: basename(image.source),
        AUTOCM_NORMALISATION: single.images[t]!.normalisation ?? '',
        AUTOCM_THRESHOLD: String(o.threshold),
        AUTOCM_BUFFER: String(o.buffer),
        AUTOCM_STACK: `${images.length} dates; dates used per pixel: ${DATES_USED_FILE} band ${t + 1}`,
        AUTOCM_STACK_RULE: ruleText,
      };
      const options = outputWriterOptions(o.stackWidth, o.stackHeight, o.georeference, o.format, metadata);
      const probability = await createCogWriter(outputs[t]!.probability, options.probability);
      writers.push(probability);
      const cloudOnlyPath = shadowBands[t] ? temporaryPathFor(outputs[t]!.mask) : outputs[t]!.mask;
      if (shadowBands[t]) temporary.push(cloudOnlyPath);
      const mask = await createCogWriter(cloudOnlyPath, options.mask);
      writers.push(mask);
      dates.push({ image: reflectanceImageOf(image, o.bandNames), singleProbability: single.images[t]!.outputs.probability, writers: { probability, mask }, cloudOnlyPath, maskOptions: options.mask, probabilityOptions: options.probability });
    }
    const datesWriter = await createCogWriter(datesUsed, {
      width: o.stackWidth,
      height: o.stackHeight,
      bandCount: images.length,
      sampleType: 'uint8',
      georeference: o.georeference,
      nodata: 255,
      bandDescriptions: images.map((image) => `other dates used: ${image.id}`),
      metadata: { AUTOCM_VERSION: version, AUTOCM_STACK_RULE: ruleText, AUTOCM_STACK_DATES: images.map((i) => i.id).join(',') },
    });
    writers.push(datesWriter);
    const statistics = await runStackPass(dates, {
      width: o.stackWidth,
      height: o.stackHeight,
      rule: o.rule,
      threshold: o.threshold,
      buffer: o.buffer,
      dateBuffers: shadowBands.map((bands) => (bands ? 0 : o.buffer)),
      format: o.format,
      datesWriter,
      memoryBudget: o.memoryBudget,
      onStrip: (done, total) => {
        bar ??= progressBar(`stack of ${images.length} dates`, total, { quiet: o.quiet });
        bar.update(done);
      },
    });
    bar?.stop();
    for (let t = 0; t < images.length; t++) {
      await dates[t]!.writers.probability.finish();
      finished.push(outputs[t]!.probability);
      await dates[t]!.writers.mask.finish();
      finished.push(dates[t]!.cloudOnlyPath);
    }
    await datesWriter.finish();
    finished.push(datesUsed);
    const result: Awaited<ReturnType<typeof writeStack>> = { dates: statistics.dates.map((d) => ({ ...d })), stripRows: statistics.stripRows, outlierAgreement: statistics.outlierAgreement, outliersTrusted: statistics.outliersTrusted, seasonalModelShare: statistics.seasonalModelShare };
    // Shadow pass of each date (as single-image predict, with the cloud-only mask of the stack), darkness
    // measured against the other dates' clear-sky composite.
    for (let t = 0; t < images.length; t++) {
      const bands = shadowBands[t];
      if (!bands) continue;
      const image = images[t]!;
      const input = predictionInputOf(image);
      const date = dates[t]!;
      const file = await image.open();
      opened.push(file);
      const source = onStackGrid(file, image.offset, o.stackWidth, o.stackHeight);
      const sun = o.sun ?? input.sun ?? sunFromMetadata(file.info.metadata);
      if (sun && !usableSun(sun)) warn(`${image.source}: sun azimuth ${sun.azimuth} / elevation ${sun.elevation} is not usable (elevation must be in (0, 90]): ignored, the shadow direction is searched in the scene`);
      const cloudOnly = await openRaster(date.cloudOnlyPath);
      opened.push(cloudOnly);
      const setup = shadowSetup({
        bands,
        maskOptions: date.maskOptions,
        reflectanceScaling: (b) => input.reflectanceScaling(b),
        nodata: input.nodata,
        info: file.info,
        sun,
        cloudBuffer: o.buffer,
        shadowBuffer,
        probabilityFormat: o.format,
        maskMetadata: { AUTOCM_SHADOW_REFERENCE: 'other dates of the stack' },
      });
      const mask = await createCogWriter(outputs[t]!.mask, setup.maskOptions);
      writers.push(mask);
      const shadowProbabilityPath = o.shadowProbability ? shadowProbabilityPathFor(o.outputDirectory, image.id) : undefined;
      const shadowProbability = shadowProbabilityPath ? await createCogWriter(shadowProbabilityPath, shadowProbabilityWriterOptions(date.probabilityOptions, o.format)) : undefined;
      if (shadowProbability) writers.push(shadowProbability);
      const others = images.map((other, u) => ({ image: other, probability: outputs[u]!.probability })).filter((_, u) => u !== t);
      const reference = stackReference(others, bands.map((b) => b.name), o.threshold, o.format);
      let shadowStats;
      try {
        shadowStats = await shadowPass(source, cloudOnly, { mask, shadowProbability }, { ...setup.passOptions, reference: reference.reference });
      } finally {
        await reference.close();
      }
      await cloudOnly.close();
      await file.close();
      opened.splice(0);
      await rm(date.cloudOnlyPath, { force: true });
      await mask.finish();
      finished.push(outputs[t]!.mask);
      if (shadowProbability) {
        await shadowProbability.finish();
        finished.push(shadowProbabilityPath!);
      }
      const r = result.dates[t]!;
      r.cloud = shadowStats.cloudPixels;
      r.shadowPixels = shadowStats.shadowPixels;
      r.shadowDirection = [...new Set(shadowStats.directionSources)].join(', ');
      if (shadowProbabilityPath) r.shadowProbability = shadowProbabilityPath;
    }
    return result;
  } catch (error) {
    bar?.stop();
    // No partial stack: every output written so far goes.
    await Promise.all(opened.map((source) => source.close().catch(() => undefined)));
    await Promise.all([...writers.map((w) => w.abort()), ...[...finished, ...temporary].map((path) => rm(path, { force: true }))]);
    throw error;
  }
}
