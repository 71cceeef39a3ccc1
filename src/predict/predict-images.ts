import { rm } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { basename } from 'node:path';
import { createMaskSession, type MaskSession, type MaskSessionOptions } from '../engine/mask-session.js';
import { createMaskWorkerPool, workerThreadsFor, type ConcurrentMaskSession } from '../engine/mask-worker-pool.js';
import { loadModel, type ModelFile } from '../model/weights.js';
import { createCogWriter } from '../raster/cog-writer.js';
import { resolvePredictionInputs } from './inputs.js';
import type { CogWriter, RasterSource } from '../raster/types.js';
import { implausibleScaling } from './scaling-check.js';
import { AutocmError } from '../util/errors.js';
import { refuseOverwritingInputs } from '../util/input-guard.js';
import { progressBar } from '../util/progress.js';
import type { BandScaling } from './image-normalisation.js';
import { checkDistinctStems, exists, outputPathsFor, prepareOutputDirectory, shadowProbabilityPathFor, type OutputPaths } from './output-paths.js';
import { columnBlockWidthFor } from './column-blocks.js';
import { predictScene, type ProbabilityFormat } from './scene-predictor.js';
import { sceneSetup } from './scene-setup.js';
import { since, type StageSeconds } from './stage-seconds.js';
import { MAX_BUFFER } from './class-dilation.js';
import { minimumOverlap } from './tile-plan.js';
import { workerTileSource } from './worker-tile-source.js';
import { openRaster } from '../raster/open.js';
import { temporaryPathFor } from '../util/atomic.js';
import { usableSun, type SunAngles } from '../shadow/index.js';
import { shadowBandsOf, shadowProbabilityWriterOptions, shadowSetup, sunFromMetadata } from './shadow-setup.js';
import { shadowPass } from './shadow-pass.js';

export interface PredictOptions {
  model: string;
  outputDirectory: string;
  sensor?: string;
  /** Cloud when probability >= threshold. Default: the model's calibrated threshold, else 0.5. */
  threshold?: number;
  /** Dilation of the cloud mask by a disk of N pixels. Default 0. */
  buffer?: number;
  /** Detect cloud shadows (class 2 of the mask) where the image has a NIR band. Default true. */
  shadows?: boolean;
  /** Dilation of the shadow class by a disk of N pixels. Default: `buffer`. */
  shadowBuffer?: number;
  /** Also write `<stem>_shadowprob.tif`. */
  shadowProbability?: boolean;
  /** Sun angles for every image (else each image's own, else searched per scene). */
  sun?: SunAngles;
  format?: ProbabilityFormat;
  tile?: number;
  overlap?: number;
  threads?: number;
  provider?: string;
  /** Replace existing outputs; without it an image whose outputs all exist is skipped. */
  overwrite?: boolean;
  /** No progress bars. */
  quiet?: boolean;
  /** Graph rewrite for the mask session (bench/int8.ts); for benchmarks. */
  transformGraph?: MaskSessionOptions['transformGraph'];
  /** Read and normalise tiles in a worker thread, overlapping inference (default true). */
  readInWorker?: boolean;
  /** Run the network in worker threads on the CPU (default true); false: one session in this thread (benchmarks). */
  inferenceWorkers?: boolean;
  warn?: (message: string) => void;
}

export interface ImageSummary {
  input: string;
  id: string;
  status: 'written' | 'skipped';
  sensor?: string;
  outputs: OutputPaths;
  width?: number;
  height?: number;
  tiles?: number;
  /** Cloud pixels (after the buffer) over valid pixels; null when no pixel is valid. */
  cloudFraction?: number | null;
  /** Shadow pixels (after the buffer) over valid pixels; absent when shadows were not detected. */
  shadowFraction?: number | null;
  /** How the shadow direction was found: 'sun' (angles given), 'search' (searched in the scene), 'none' (no shadow). */
  shadowDirection?: string;
  /** `<stem>_shadowprob.tif` when written. */
  shadowProbability?: string;
  nodataFraction?: number;
  nonFinitePixels?: number;
  normalisation?: string;
  seconds?: number;
  megapixelsPerSecond?: number;
  /** CPU seconds of the whole process (every thread) while predicting this image. */
  cpuSeconds?: number;
  /** Seconds by stage (overlapping; see StageSeconds), `finish`: completing the COGs. */
  stageSeconds?: StageSeconds & { finish: number };
}

export interface PredictSummary {
  model: string;
  threshold: number;
  buffer: number;
  format: ProbabilityFormat;
  tile: number;
  overlap: number;
  images: ImageSummary[];
  /** Peak resident memory of this process so far, MiB. */
  peakRssMiB: number;
}

export const predictDefaults = { threshold: 0.5, buffer: 0, format: 'uint8' as ProbabilityFormat, tile: 1024, overlap: minimumOverlap };

/** One input image as prediction needs it. */
export interface PredictionInput {
  /** Output name stem. */
  id: string;
  /** Path or URL, for messages and the summary. */
  source: string;
  /** Band names (canonical, e.g. blue, green, red, nir), to pick the model's bands by name. */
  bandNames: string[];
  /** Nodata value: the file's, else the sensor profile's default. */
  nodata: number | null;
  /** Sensor profile id, for the summary. */
  sensor?: string;
  /** The path or URL when the image is one file (tiles are then read in a worker thread). */
  file?: string;
  /** Every file of the image (one, or one per band), so that no output overwrites one. */
  files?: string[];
  /** Sun angles from the product's metadata, when known. */
  sun?: SunAngles;
  open(): Promise<RasterSource>;
  /** Set when the reflectance scaling is a guess (unknown Sentinel-2 baseline, no MTL, int8 data). */
  scalingGuess?: string | null;
  /** Per-band DN -> reflectance of the image's sensor (for models with 'reflectance' normalisation). */
  reflectanceScaling(bands: number[]): BandScaling[];
}

/** Predicts cloud probability and mask COGs for every input image (files, folders, globs, lists, STAC). */
export async function predictImages(inputs: string[], options: PredictOptions): Promise<PredictSummary> {
  validateOptions({ ...predictDefaults, ...options, threshold: options.threshold ?? predictDefaults.threshold });
  const model = await loadModel(options.model);
  const images = await resolvePredictionInputs(inputs, options.sensor);
  return predictImageList(images, model, options);
}

/** Predicts already resolved images with a loaded model. */
export async function predictImageList(images: PredictionInput[], model: ModelFile, options: PredictOptions): Promise<PredictSummary> {
  const o = { ...predictDefaults, ...options, threshold: options.threshold ?? model.metadata.threshold ?? predictDefaults.threshold };
  const warn = options.warn ?? ((message: string) => process.stderr.write(`autocm: warning: ${message}\n`));
  validateOptions(o);
  if (images.length === 0) throw new AutocmError('no input images found');
  checkDistinctStems(images);
  await refuseOverwritingInputs(
    images.flatMap((image) => [...Object.values(outputPathsFor(o.outputDirectory, image.id)), shadowProbabilityPathFor(o.outputDirectory, image.id)]),
    [o.model, ...images.flatMap((image) => image.files ?? [image.file ?? image.source])],
  );
  await prepareOutputDirectory(o.outputDirectory);
  const sessions = new SessionForScene(model, o);
  // Open now (reopened for the first image only if it is too wide for two workers): a provider or
  // model ONNX Runtime refuses fails before any image.
  await sessions.forWidth(0);
  const summary: PredictSummary = { model: o.model, threshold: o.threshold, buffer: o.buffer, format: o.format, tile: o.tile, overlap: o.overlap, images: [], peakRssMiB: 0 };
  try {
    for (const image of images) {
      const outputs = outputPathsFor(o.outputDirectory, image.id);
      if (!o.overwrite && (await exists(outputs.probability)) && (await exists(outputs.mask))) {
        summary.images.push({ input: image.source, id: image.id, status: 'skipped', outputs });
        continue;
      }
      const source = await image.open();
      try {
        summary.images.push(await predictOne(source, image, outputs, model, sessions, o, warn));
      } finally {
        await source.close();
      }
    }
  } finally {
    await sessions.release();
  }
  summary.peakRssMiB = process.resourceUsage().maxRSS / 1024;
  return summary;
}

/**
 * The network's session for a scene. On the CPU it runs in worker threads (workerThreadsFor), so
 * this thread blends and writes while it runs, two tiles at a time unless the scene is too wide
 * for a second session's memory; the pool is reopened only when a scene needs fewer workers than
 * it has. A benchmark's graph rewrite (a function) and other providers keep one session in this
 * thread.
 */
class SessionForScene {
  private session: Session | undefined;
  private workers = 0;

  constructor(
    private readonly model: ModelFile,
    private readonly o: PredictOptions,
  ) {}

  async forWidth(width: number): Promise<Session> {
    const o = this.o;
    if ((o.provider ?? 'cpu') !== 'cpu' || o.transformGraph || o.inferenceWorkers === false) {
      this.session ??= await createMaskSession(this.model, { threads: o.threads, provider: o.provider, transformGraph: o.transformGraph });
      return this.session;
    }
    const workerThreads = workerThreadsFor(o.threads ?? availableParallelism(), width);
    if (!this.session || workerThreads.length < this.workers) {
      await this.release();
      this.session = await createMaskWorkerPool(this.model, { workerThreads });
      this.workers = workerThreads.length;
    }
    return this.session;
  }

  async release(): Promise<void> {
    const session = this.session;
    this.session = undefined;
    await session?.release();
  }
}

function validateOptions(o: Required<Pick<PredictOptions, 'threshold' | 'buffer' | 'tile' | 'overlap' | 'format'>> & Pick<PredictOptions, 'shadowBuffer'>): void {
  if (!(o.threshold >= 0 && o.threshold <= 1)) throw new AutocmError(`--threshold must be in [0, 1] (got ${o.threshold})`);
  if (!Number.isInteger(o.buffer) || o.buffer < 0 || o.buffer > MAX_BUFFER) throw new AutocmError(`--buffer must be a whole number of pixels from 0 to ${MAX_BUFFER} (got ${o.buffer})`);
  if (!Number.isInteger(o.tile) || o.tile < 64 || o.tile % 8 !== 0) throw new AutocmError(`--tile must be a multiple of 8, at least 64 (got ${o.tile})`);
  if (!Number.isInteger(o.overlap) || o.overlap % 8 !== 0 || o.overlap < minimumOverlap || o.overlap > o.tile / 2) {
    throw new AutocmError(`--overlap must be a multiple of 8 from ${minimumOverlap} (tile borders affect the network that far in) to half the tile (got ${o.overlap})`);
  }
  if (o.shadowBuffer !== undefined && (!Number.isInteger(o.shadowBuffer) || o.shadowBuffer < 0 || o.shadowBuffer > MAX_BUFFER)) {
    throw new AutocmError(`--shadow-buffer must be a whole number of pixels from 0 to ${MAX_BUFFER} (got ${o.shadowBuffer})`);
  }
  if (o.format !== 'uint8' && o.format !== 'float32') throw new AutocmError(`--format must be uint8 or float32 (got ${String(o.format)})`);
}

type Image = PredictionInput;

/** Scenes this large release the network before their shadow pass (docs/performance.md 2b). */
const RELEASE_BEFORE_SHADOWS_PIXELS = 4096 * 4096;
type Session = MaskSession | ConcurrentMaskSession;

async function predictOne(
  source: RasterSource,
  image: Image,
  outputs: OutputPaths,
  model: ModelFile,
  sessions: SessionForScene,
  o: PredictOptions & typeof predictDefaults,
  warn: (message: string) => void,
): Promise<ImageSummary> {
  const started = performance.now();
  const cpuStarted = process.cpuUsage();
  const { width, height } = source.info;
  if (width < 8 || height < 8) throw new AutocmError(`image is ${width} x ${height} px; the network needs at least 8 x 8`, image.source);
  const { bands, normalisation, writerOptions } = await sceneSetup(source, image, model, o.model, o);
  const shadowBands = o.shadows === false ? null : shadowBandsOf(image.bandNames);
  if (o.shadows !== false && !shadowBands) warn(`${image.source}: no NIR band, so no cloud shadows (the mask has cloud only)`);
  const sun = o.sun ?? image.sun ?? sunFromMetadata(source.info.metadata);
  if (shadowBands && sun && !usableSun(sun)) warn(`${image.source}: sun azimuth ${sun.azimuth} / elevation ${sun.elevation} is not usable (elevation must be in (0, 90]): ignored, the shadow direction is searched in the scene`);
  const guessed = model.metadata.normalisation.mode === 'reflectance' ? (image.scalingGuess ?? null) : null;
  if (guessed) {
    warn(`${image.source}: ${guessed}`);
    writerOptions.probability.metadata = { ...writerOptions.probability.metadata, AUTOCM_RADIOMETRY_GUESS: guessed };
    writerOptions.mask.metadata = { ...writerOptions.mask.metadata, AUTOCM_RADIOMETRY_GUESS: guessed };
  }
  const scaling = await implausibleScaling(source, bands, image.nodata, normalisation, bands.map((b) => image.bandNames[b] ?? `band ${b + 1}`));
  if (scaling) warn(`${image.source}: ${scaling}`);
  const writers: { probability?: CogWriter; mask?: CogWriter; shadowProbability?: CogWriter } = {};
  const finished: string[] = [];
  const cloudOnlyPath = shadowBands ? temporaryPathFor(outputs.mask) : outputs.mask;
  const shadowProbabilityPath = shadowBands && o.shadowProbability ? shadowProbabilityPathFor(o.outputDirectory, image.id) : undefined;
  let cloudOnly: RasterSource | undefined;
  let bar: ReturnType<typeof progressBar> | undefined;
  try {
    writers.probability = await createCogWriter(outputs.probability, writerOptions.probability);
    const cloudWriter = await createCogWriter(cloudOnlyPath, writerOptions.mask);
    writers.mask = cloudWriter;
    const statistics = await predictScene(source, await sessions.forWidth(width), { probability: writers.probability, mask: cloudWriter }, {
      bands,
      nodata: image.nodata,
      normalisation,
      tile: o.tile,
      overlap: o.overlap,
      threshold: o.threshold,
      buffer: shadowBands ? 0 : o.buffer,
      probabilityFormat: o.format,
      tileSource: o.readInWorker !== false && image.file ? (plan, tileOptions) => workerTileSource(image.file!, plan, tileOptions) : undefined,
      columnBlockWidth: columnBlockWidthFor(source.info.width),
      onTile: (done, total) => {
        bar ??= progressBar(basename(image.source), total, { quiet: o.quiet });
        bar.update(done);
      },
    });
    bar?.stop();
    const finishStart = performance.now();
    await writers.probability.finish();
    finished.push(outputs.probability);
    await cloudWriter.finish();
    finished.push(cloudOnlyPath);
    let shadowFraction: number | null | undefined;
    let shadowDirection: string | undefined;
    if (shadowBands) {
      cloudOnly = await openRaster(cloudOnlyPath);
      const setup = shadowSetup({
        bands: shadowBands,
        maskOptions: writerOptions.mask,
        reflectanceScaling: (b) => image.reflectanceScaling(b),
        nodata: image.nodata,
        info: source.info,
        sun,
        cloudBuffer: o.buffer,
        shadowBuffer: o.shadowBuffer ?? o.buffer,
        probabilityFormat: o.format,
      });
      writers.mask = await createCogWriter(outputs.mask, setup.maskOptions);
      if (shadowProbabilityPath) writers.shadowProbability = await createCogWriter(shadowProbabilityPath, shadowProbabilityWriterOptions(writerOptions.probability, o.format));
      // The idle network sessions' activations (300-400 MiB each) would sit beside the shadow
      // pass's windows: on a large scene, reopening them for the next image costs little.
      if (width * height >= RELEASE_BEFORE_SHADOWS_PIXELS) await sessions.release();
      // --threads 1: shadow windows too are detected in this thread only.
      const passOptions = o.threads === 1 ? { ...setup.passOptions, detectionWorkers: 0 } : setup.passOptions;
      const shadowStats = await shadowPass(source, cloudOnly, { mask: writers.mask, shadowProbability: writers.shadowProbability }, passOptions);
      await cloudOnly.close();
      cloudOnly = undefined;
      await rm(cloudOnlyPath, { force: true });
      await writers.mask.finish();
      finished.push(outputs.mask);
      if (writers.shadowProbability) {
        await writers.shadowProbability.finish();
        finished.push(shadowProbabilityPath!);
      }
      const valid = statistics.pixels - statistics.nodataPixels;
      statistics.cloudPixels = shadowStats.cloudPixels;
      shadowFraction = valid > 0 ? shadowStats.shadowPixels / valid : null;
      shadowDirection = [...new Set(shadowStats.directionSources)].join(', ');
    }
    const finish = since(finishStart);
    if (statistics.nonFinitePixels > 0) warn(`${image.source}: ${statistics.nonFinitePixels} pixels with NaN or infinite values were treated as nodata`);
    const seconds = since(started);
    const cpu = process.cpuUsage(cpuStarted);
    const valid = statistics.pixels - statistics.nodataPixels;
    return {
      input: image.source,
      id: image.id,
      status: 'written',
      sensor: image.sensor,
      outputs,
      width,
      height,
      tiles: statistics.tiles,
      cloudFraction: valid > 0 ? statistics.cloudPixels / valid : null,
      ...(shadowFraction !== undefined ? { shadowFraction, shadowDirection } : {}),
      ...(shadowProbabilityPath ? { shadowProbability: shadowProbabilityPath } : {}),
      nodataFraction: statistics.nodataPixels / statistics.pixels,
      nonFinitePixels: statistics.nonFinitePixels,
      normalisation: normalisation.description,
      seconds,
      megapixelsPerSecond: statistics.pixels / 1e6 / seconds,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      stageSeconds: { ...statistics.seconds, finish },
    };
  } catch (error) {
    bar?.stop();
    // No half set of outputs: a finished probability without its mask goes too.
    await cloudOnly?.close().catch(() => undefined);
    await Promise.all([writers.probability?.abort(), writers.mask?.abort(), writers.shadowProbability?.abort(), ...finished.map((path) => rm(path, { force: true })), rm(cloudOnlyPath, { force: true })]);
    throw error;
  }
}
