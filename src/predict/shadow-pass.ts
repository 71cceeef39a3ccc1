import type { CogWriter, RasterSource, Window } from '../raster/types.js';
import { availableParallelism } from 'node:os';
import { defaultShadowParameters, detectShadows, usableSun, type NamedBand, type ShadowParameters, type ShadowWindow, type SunAngles } from '../shadow/index.js';
import type { DirectionSource } from '../shadow/shadow-types.js';
import { createWorkerPool, ownBuffer } from '../util/worker-pool.js';
import { StreamingClassDilation } from './class-dilation.js';
import { columnBlockWidthFor, coreColumns } from './column-blocks.js';
import type { BandScaling } from './image-normalisation.js';

const MASK_NODATA = 255;

export interface ShadowPassOptions {
  /** Image band indices and canonical names of the bands the detector uses (nir first; swir1, red when present). */
  bands: { index: number; name: string }[];
  scaling: BandScaling[];
  nodata: number | null;
  pixelSize: number;
  sun?: SunAngles;
  /** --buffer radii in pixels. */
  cloudBuffer: number;
  shadowBuffer: number;
  /** Core rows per window (the halo comes on top). */
  windowRows?: number;
  /** Column block width (default: as the cloud pass, column-blocks.ts: whole scenes up to 20480 px wide). */
  columnBlockWidth?: number;
  parameters?: ShadowParameters;
  /**
   * Clear-sky reflectance of a window (same names as `bands`, NaN where unknown), e.g. the other
   * dates' composite in `predict --stack`: with it, darkness is measured against it.
   */
  reference?: (window: Window) => Promise<NamedBand[]>;
  /** Shadow probability output format, when one is written. */
  probabilityFormat?: 'uint8' | 'float32';
  /**
   * Worker threads that detect windows side by side (0: in this thread). Default: 2 on a machine
   * with 2 or more cores when the column block is at most DETECTION_WORKERS_MAX_WIDTH wide, else 0.
   */
  detectionWorkers?: number;
}

/** What detection gives back for a window, with the window's cloud mask (a worker returns it). */
export interface DetectedWindow {
  shadow: Uint8Array;
  probability: Float32Array;
  directionSource: DirectionSource;
  cloud: Uint8Array;
}

/** Shadow detection of a window, in this thread (concurrency 0) or in that many worker threads. */
type Detector = ((window: ShadowWindow, parameters: ShadowParameters) => Promise<DetectedWindow>) & { concurrency: number };

/**
 * Scenes (column blocks) up to this wide have their windows detected in two worker threads; a
 * window of a wider one takes several hundred MiB, so one at a time in this thread (docs/performance.md).
 */
export const DETECTION_WORKERS_MAX_WIDTH = 8192;

async function openDetector(workers: number): Promise<{ detect: Detector; release: () => Promise<void> }> {
  if (workers === 0) {
    const detect = async (window: ShadowWindow, parameters: ShadowParameters) => ({ ...detectShadows(window, parameters), cloud: window.cloud });
    return { detect: Object.assign(detect, { concurrency: 0 }), release: async () => undefined };
  }
  const pool = await createWorkerPool<{ window: ShadowWindow; parameters: ShadowParameters }, DetectedWindow>(new URL('./shadow-worker.js', import.meta.url), new Array<null>(workers).fill(null));
  const detect = (window: ShadowWindow, parameters: ShadowParameters) => {
    const owned: ShadowWindow = {
      ...window,
      cloud: ownBuffer(window.cloud),
      bands: window.bands.map((band) => ({ name: band.name, values: ownBuffer(band.values) })),
      reference: window.reference?.map((band) => ({ name: band.name, values: ownBuffer(band.values) })),
    };
    const buffers = [owned.cloud, ...owned.bands.map((band) => band.values), ...(owned.reference ?? []).map((band) => band.values)].map((view) => view.buffer as ArrayBuffer);
    return pool.run({ window: owned, parameters }, [...new Set(buffers)]);
  };
  return { detect: Object.assign(detect, { concurrency: pool.size }), release: () => pool.release() };
}

export interface ShadowPassStatistics {
  shadowPixels: number;
  cloudPixels: number;
  directionSources: string[];
}

/**
 * Second pass of predict: reads the written (unbuffered) cloud mask and the image's NIR / SWIR1 /
 * red in bands of rows with a halo of the largest shadow displacement above and below, finds the
 * shadows of each band (src/shadow), buffers cloud and shadow, and writes the final mask (and the
 * shadow probability). Scenes wider than one column block (column-blocks.ts, as the cloud pass)
 * go block by block, each window with the same halo left and right (plus the --buffer reach), so
 * memory is (window rows + 2 * halo) x (block width + 2 * (halo + buffer)), whatever the scene size.
 */
export async function shadowPass(
  source: RasterSource,
  cloudMask: RasterSource,
  writers: { mask: CogWriter; shadowProbability?: CogWriter },
  options: ShadowPassOptions,
): Promise<ShadowPassStatistics> {
  const { width } = source.info;
  const parameters = { ...defaultShadowParameters, ...options.parameters };
  const sun = usableSun(options.sun) ? options.sun : undefined;
  const halo = sun ? Math.min(parameters.maxShift, Math.ceil(parameters.maxCloudHeight / Math.tan((Math.min(sun.elevation, 89.9) * Math.PI) / 180) / options.pixelSize)) : parameters.maxShift;
  const statistics: ShadowPassStatistics = { shadowPixels: 0, cloudPixels: 0, directionSources: [] };
  const blockWidth = options.columnBlockWidth ?? columnBlockWidthFor(width);
  const step = blockWidth !== undefined && width > blockWidth ? blockWidth : width;
  const reach = Math.max(options.cloudBuffer, options.shadowBuffer);
  // Left and right, the halo also covers the rays towards the sun (up to rayReach x the largest
  // shift), so that no ray of a needed pixel leaves the window sideways where the scene goes on:
  // a ray leaving the window counts as shadowed (openEdges).
  const sideHalo = Math.ceil(Math.max(1, parameters.rayReach) * halo);
  const workers = options.detectionWorkers ?? (availableParallelism() >= 2 && Math.min(step + 2 * (reach + sideHalo), width) <= DETECTION_WORKERS_MAX_WIDTH ? 2 : 0);
  const { detect, release } = await openDetector(workers);
  try {
    for (let coreFrom = 0; coreFrom < width; coreFrom += step) {
      const coreTo = Math.min(width, coreFrom + step);
      const needFrom = Math.max(0, coreFrom - reach);
      const needTo = Math.min(width, coreTo + reach);
      const columns = { coreFrom, coreTo, needFrom, needTo, readFrom: Math.max(0, needFrom - sideHalo), readTo: Math.min(width, needTo + sideHalo) };
      await blockShadowPass(source, cloudMask, writers, options, { parameters, sun, halo, columns, detect }, statistics);
    }
  } finally {
    await release();
  }
  return statistics;
}

/**
 * Columns of one block: written coreFrom..coreTo; dilated needFrom..needTo (the core and what the
 * buffer reaches); read and searched for shadows readFrom..readTo (that and the halo).
 */
interface BlockColumns {
  coreFrom: number;
  coreTo: number;
  needFrom: number;
  needTo: number;
  readFrom: number;
  readTo: number;
}

async function blockShadowPass(
  source: RasterSource,
  cloudMask: RasterSource,
  writers: { mask: CogWriter; shadowProbability?: CogWriter },
  options: ShadowPassOptions,
  setup: { parameters: ShadowParameters; sun: SunAngles | undefined; halo: number; columns: BlockColumns; detect: Detector },
  statistics: ShadowPassStatistics,
): Promise<void> {
  const { height } = source.info;
  const { parameters, sun, halo, columns } = setup;
  const readWidth = columns.readTo - columns.readFrom;
  const needWidth = columns.needTo - columns.needFrom;
  const coreWidth = columns.coreTo - columns.coreFrom;
  const needOffset = columns.needFrom - columns.readFrom;
  const coreOffset = columns.coreFrom - columns.readFrom;
  const windowRows = options.windowRows ?? 512;
  const dilation = new StreamingClassDilation(needWidth, height, options.cloudBuffer, options.shadowBuffer);
  const probabilityFormat = options.probabilityFormat ?? 'uint8';
  const detect = setup.detect;

  /** Reads window `y` (its rows and the halo) for the detector. */
  const readShadowWindow = async (y: number): Promise<{ y: number; top: number; window: ShadowWindow }> => {
    const top = Math.max(0, y - halo);
    const bottom = Math.min(height, y + Math.min(windowRows, height - y) + halo);
    const window = { x: columns.readFrom, y: top, width: readWidth, height: bottom - top };
    const cloud = (await cloudMask.readWindow(window, { bands: [0] })).bands[0] as Uint8Array;
    const data = await source.readWindow(window, { bands: options.bands.map((b) => b.index) });
    const bands: NamedBand[] = options.bands.map((band, k) => ({ name: band.name, values: toReflectance(data.bands[k]!, options.scaling[k]!, options.nodata) }));
    // A pixel that is nodata in any band used is nodata for the detector.
    for (const { values } of bands) {
      for (let i = 0; i < cloud.length; i++) if (cloud[i] !== 1 && Number.isNaN(values[i]!)) cloud[i] = MASK_NODATA;
    }
    const reference = options.reference ? await options.reference(window) : undefined;
    return { y, top, window: { width: readWidth, height: window.height, bands, cloud, pixelSize: options.pixelSize, sun, reference } };
  };
  // Windows are read one after the other and detected up to `detect.concurrency` workers at a
  // time (one more started, so that a worker never waits for this thread), then finished in
  // order. Detected in this thread, the next window starts only when this one is written (one
  // window in memory, as many hundred MiB as a wide scene needs).
  const starts: number[] = [];
  for (let y = 0; y < height; y += windowRows) starts.push(y);
  const started: Promise<{ y: number; top: number; detected: DetectedWindow }>[] = [];
  let readChain: Promise<unknown> = Promise.resolve();
  const start = (k: number) => {
    if (k >= starts.length) return;
    const read = readChain.then(() => readShadowWindow(starts[k]!));
    // The next window is read once this one is read, not once it is detected.
    readChain = read.catch(() => undefined);
    const detected = read.then(async ({ y, top, window }) => ({ y, top, detected: await detect(window, parameters) }));
    detected.catch(() => undefined); // awaited in order below; a failure surfaces there
    started[k] = detected;
  };
  const ahead = detect.concurrency + 1;
  for (let k = 0; k < ahead; k++) start(k);
  for (let k = 0; k < starts.length; k++) {
    const { y, top, detected: result } = await started[k]!;
    delete started[k];
    if (detect.concurrency > 0) start(k + ahead);
    const rows = Math.min(windowRows, height - y);
    const cloud = result.cloud;
    statistics.directionSources.push(result.directionSource);
    const from = (y - top) * readWidth;
    const core = new Uint8Array(rows * needWidth);
    for (let r = 0; r < rows; r++) {
      for (let c = 0, i = from + r * readWidth + needOffset; c < needWidth; c++, i++) {
        const v = cloud[i]!;
        core[r * needWidth + c] = v === 1 ? 1 : v === MASK_NODATA ? MASK_NODATA : result.shadow[i] ? 2 : 0;
      }
    }
    const finished = dilation.push(core);
    const finishedRows = finished.rows.length / needWidth;
    const written = coreColumns(finished.rows, needWidth, columns.coreFrom - columns.needFrom, columns.coreTo - columns.needFrom);
    for (const v of written) {
      if (v === 1) statistics.cloudPixels++;
      else if (v === 2) statistics.shadowPixels++;
    }
    if (finishedRows > 0) await writers.mask.writeWindow({ window: { x: columns.coreFrom, y: finished.y, width: coreWidth, height: finishedRows }, bands: [written] });
    if (writers.shadowProbability) {
      const probability = probabilityFormat === 'uint8' ? new Uint8Array(rows * coreWidth) : new Float32Array(rows * coreWidth);
      for (let r = 0; r < rows; r++) {
        for (let c = 0, i = from + r * readWidth + coreOffset; c < coreWidth; c++, i++) {
          const p = result.probability[i]!;
          probability[r * coreWidth + c] = probabilityFormat === 'uint8' ? (Number.isNaN(p) ? 255 : Math.round(100 * p)) : p;
        }
      }
      await writers.shadowProbability.writeWindow({ window: { x: columns.coreFrom, y, width: coreWidth, height: rows }, bands: [probability] });
    }
    if (detect.concurrency === 0) start(k + ahead);
  }
}

function toReflectance(values: ArrayLike<number>, scaling: BandScaling, nodata: number | null): Float32Array {
  const out = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    out[i] = (nodata !== null && v === nodata) || !Number.isFinite(v) ? Number.NaN : v * scaling.scale + scaling.offset;
  }
  return out;
}
