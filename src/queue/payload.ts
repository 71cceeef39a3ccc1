/**
 * The data of every job autocm puts on the queue, and its validation. A worker treats a job
 * payload as untrusted: only known fields, numbers in range, ids of a fixed shape; paths are
 * checked separately against the worker's roots (confine.ts).
 */

import { MAX_BUFFER } from '../predict/class-dilation.js';
import { minimumOverlap } from '../predict/tile-plan.js';

export const payloadVersion = 1;

/** Options of the prediction itself (those of `autocm predict`); part of the job id (same options -> same outputs). */
export interface PredictJobOptions {
  /** Cloud probability at or above which a pixel is cloud in the mask. */
  threshold: number;
  /** Dilation of the cloud mask, pixels. */
  buffer: number;
  /** Probability output: uint8 percent or float32. */
  format: 'uint8' | 'float32';
  /** Network tile size in pixels (multiple of 8) and overlap between tiles. */
  tile: number;
  overlap: number;
  /** Sensor profile name, or null for detection. */
  sensor: string | null;
}

/** A band of output rows [start, end) of a split scene. */
export interface RowBand {
  start: number;
  end: number;
}

interface JobBase {
  v: typeof payloadVersion;
  runId: string;
  /** Scene input and model: absolute, or relative to the worker's --input-root. */
  input: string;
  model: string;
  /** Output folder: absolute, or relative to the worker's --output-root. */
  outputDir: string;
  /** Output name stem: <stem>_cloudprob.tif, <stem>_cloudmask.tif. */
  stem: string;
  /** Id of the scene (= the job id of the scene or assemble job); names the scratch area of split scenes. */
  sceneKey: string;
  options: PredictJobOptions;
}

/** A whole scene predicted in one job. */
export interface SceneJobData extends JobBase {
  kind: 'scene';
}

/** One row band of a split scene: writes its probability rows to the scene's scratch area. */
export interface StripJobData extends JobBase {
  kind: 'strip';
  band: RowBand;
  width: number;
  height: number;
}

/** The parent of a split scene's strips: assembles the two COGs once every strip is done. */
export interface AssembleJobData extends JobBase {
  kind: 'assemble';
  bands: RowBand[];
  width: number;
  height: number;
}

/** Options of a composite (those of `autocm composite`); part of the job id. */
export interface CompositeJobOptions {
  method: 'mean' | 'median' | 'best';
  /**
   * An observation is clear where its cloud probability is below this; null: the calibrated
   * threshold predict recorded in each probability file (AUTOCM_THRESHOLD), else 0.5, as `autocm composite`.
   */
  threshold: number | null;
  /** First and last acquisition dates used (YYYY-MM-DD), or null. */
  from: string | null;
  to: string | null;
  /** Also write `<stem>_count.tif`, the clear observations per pixel. */
  count: boolean;
  /** Leave out images without a mask instead of failing. */
  allowMissing: boolean;
}

/** One stack composited in one job: `<outputDir>/<stem>_composite.tif` (and `<stem>_count.tif`). */
export interface CompositeJobData {
  v: typeof payloadVersion;
  kind: 'composite';
  runId: string;
  /** The stack's images: absolute, or relative to the worker's --input-root. */
  images: string[];
  /** Masks of the images (from predict, or reference masks), inside the root `masksRoot` names. */
  masksDir: string;
  masksRoot: 'input' | 'output';
  outputDir: string;
  stem: string;
  /** Id of the work (the job id derives from it); names the done marker's content. */
  sceneKey: string;
  options: CompositeJobOptions;
}

export type JobData = SceneJobData | StripJobData | AssembleJobData | CompositeJobData;
export type JobKind = JobData['kind'];

/** A payload that is not one autocm wrote: the job fails permanently with this message. */
export class InvalidPayloadError extends Error {
  constructor(message: string) {
    super(`invalid job payload: ${message}`);
    this.name = 'InvalidPayloadError';
  }
}

type Fields = Record<string, unknown>;

function asRecord(value: unknown, what: string): Fields {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new InvalidPayloadError(`${what} must be an object`);
  return value as Fields;
}

function onlyKnownKeys(record: Fields, known: readonly string[], what: string): void {
  for (const key of Object.keys(record)) {
    if (!known.includes(key)) throw new InvalidPayloadError(`${what} has an unknown field '${key}'`);
  }
}

function integerIn(record: Fields, key: string, min: number, max: number): number {
  const value = record[key];
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new InvalidPayloadError(`${key} must be an integer in [${min}, ${max}] (got ${JSON.stringify(value)})`);
  }
  return value;
}

function numberIn(record: Fields, key: string, min: number, max: number): number {
  const value = record[key];
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw new InvalidPayloadError(`${key} must be a number in [${min}, ${max}] (got ${JSON.stringify(value)})`);
  }
  return value;
}

const maxPathLength = 4096;

function pathString(record: Fields, key: string): string {
  const value = record[key];
  if (typeof value !== 'string' || value.length === 0 || value.length > maxPathLength || value.includes('\0')) {
    throw new InvalidPayloadError(`${key} must be a non-empty path string`);
  }
  return value;
}

function matching(record: Fields, key: string, pattern: RegExp): string {
  const value = record[key];
  if (typeof value !== 'string' || !pattern.test(value)) throw new InvalidPayloadError(`${key} must match ${pattern} (got ${JSON.stringify(value)})`);
  return value;
}

/** Largest side accepted (pixels): far above any satellite scene, small enough to rule out overflow. */
export const maxSide = 1 << 20;
const runIdPattern = /^run-[0-9a-z]{1,16}-[0-9a-f]{8,32}$/;
const sceneKeyPattern = /^[0-9a-f]{32}$/;
// An output name stem: one file-name component without separators or leading dot.
const stemPattern = /^[A-Za-z0-9_][A-Za-z0-9_.+-]{0,199}$/;

/** Whether a name stem can travel in a job (letters, digits, `_ . + -`, no leading dot). */
export const isValidStem = (stem: string): boolean => stemPattern.test(stem);

const sensorPattern = /^[a-z0-9][a-z0-9_-]{0,39}$/;

export function validatePredictOptions(value: unknown): PredictJobOptions {
  const record = asRecord(value, 'options');
  onlyKnownKeys(record, ['threshold', 'buffer', 'format', 'tile', 'overlap', 'sensor'], 'options');
  const tile = integerIn(record, 'tile', 64, 8192);
  if (tile % 8 !== 0) throw new InvalidPayloadError(`tile must be a multiple of 8 (got ${tile})`);
  const format = record.format;
  if (format !== 'uint8' && format !== 'float32') throw new InvalidPayloadError(`format must be uint8 or float32 (got ${JSON.stringify(format)})`);
  const sensor = record.sensor === null ? null : matching(record, 'sensor', sensorPattern);
  const overlap = integerIn(record, 'overlap', minimumOverlap, tile / 2);
  if (overlap % 8 !== 0) throw new InvalidPayloadError(`overlap must be a multiple of 8 (got ${overlap})`);
  return { threshold: numberIn(record, 'threshold', 0, 1), buffer: integerIn(record, 'buffer', 0, MAX_BUFFER), format, tile, overlap, sensor };
}

function validateBand(value: unknown, height: number): RowBand {
  const record = asRecord(value, 'band');
  onlyKnownKeys(record, ['start', 'end'], 'band');
  const start = integerIn(record, 'start', 0, height - 1);
  const end = integerIn(record, 'end', start + 1, height);
  return { start, end };
}

/** Stacks longer than this are refused (a payload must stay small in Redis). */
export const maxCompositeImages = 10_000;
const datePattern = /^\d{4}-\d{2}-\d{2}$/;

export function validateCompositeOptions(value: unknown): CompositeJobOptions {
  const record = asRecord(value, 'options');
  onlyKnownKeys(record, ['method', 'threshold', 'from', 'to', 'count', 'allowMissing'], 'options');
  const method = record.method;
  if (method !== 'mean' && method !== 'median' && method !== 'best') throw new InvalidPayloadError(`method must be mean, median or best (got ${JSON.stringify(method)})`);
  const threshold = record.threshold === null ? null : numberIn(record, 'threshold', Number.MIN_VALUE, 1);
  const from = record.from === null ? null : matching(record, 'from', datePattern);
  const to = record.to === null ? null : matching(record, 'to', datePattern);
  if (from && to && from > to) throw new InvalidPayloadError(`from ${from} is after to ${to}`);
  for (const key of ['count', 'allowMissing'] as const) {
    if (typeof record[key] !== 'boolean') throw new InvalidPayloadError(`${key} must be true or false`);
  }
  return { method, threshold, from, to, count: record.count as boolean, allowMissing: record.allowMissing as boolean };
}

function validateCompositeJob(record: Fields): CompositeJobData {
  onlyKnownKeys(record, ['v', 'kind', 'runId', 'images', 'masksDir', 'masksRoot', 'outputDir', 'stem', 'sceneKey', 'options'], 'job data');
  if (record.masksRoot !== 'input' && record.masksRoot !== 'output') throw new InvalidPayloadError(`masksRoot must be input or output (got ${JSON.stringify(record.masksRoot)})`);
  if (record.v !== payloadVersion) throw new InvalidPayloadError(`payload version ${JSON.stringify(record.v)} is not ${payloadVersion}`);
  const images = record.images;
  if (!Array.isArray(images) || images.length === 0 || images.length > maxCompositeImages) {
    throw new InvalidPayloadError(`images must be a non-empty array of at most ${maxCompositeImages} paths`);
  }
  return {
    v: payloadVersion,
    kind: 'composite',
    runId: matching(record, 'runId', runIdPattern),
    images: images.map((value: unknown, i) => pathString({ [`images[${i}]`]: value }, `images[${i}]`)),
    masksDir: pathString(record, 'masksDir'),
    masksRoot: record.masksRoot,
    outputDir: pathString(record, 'outputDir'),
    stem: matching(record, 'stem', stemPattern),
    sceneKey: matching(record, 'sceneKey', sceneKeyPattern),
    options: validateCompositeOptions(record.options),
  };
}

/** Checks every field of a job payload; returns a fresh object holding only the validated fields. */
export function validateJobData(value: unknown): JobData {
  const record = asRecord(value, 'job data');
  const kind = record.kind;
  if (kind === 'composite') return validateCompositeJob(record);
  const common = ['v', 'kind', 'runId', 'input', 'model', 'outputDir', 'stem', 'sceneKey', 'options'];
  const known = kind === 'scene' ? common : kind === 'strip' ? [...common, 'band', 'width', 'height'] : kind === 'assemble' ? [...common, 'bands', 'width', 'height'] : null;
  if (!known) throw new InvalidPayloadError(`unknown job kind ${JSON.stringify(kind)}`);
  onlyKnownKeys(record, known, 'job data');
  if (record.v !== payloadVersion) throw new InvalidPayloadError(`payload version ${JSON.stringify(record.v)} is not ${payloadVersion}`);
  const base: JobBase = {
    v: payloadVersion,
    runId: matching(record, 'runId', runIdPattern),
    input: pathString(record, 'input'),
    model: pathString(record, 'model'),
    outputDir: pathString(record, 'outputDir'),
    stem: matching(record, 'stem', stemPattern),
    sceneKey: matching(record, 'sceneKey', sceneKeyPattern),
    options: validatePredictOptions(record.options),
  };
  if (kind === 'scene') return { ...base, kind };
  const width = integerIn(record, 'width', 1, maxSide);
  const height = integerIn(record, 'height', 1, maxSide);
  if (kind === 'strip') return { ...base, kind, width, height, band: validateBand(record.band, height) };
  if (!Array.isArray(record.bands) || record.bands.length === 0 || record.bands.length > maxSide) {
    throw new InvalidPayloadError('bands must be a non-empty array');
  }
  const bands = record.bands.map((band) => validateBand(band, height));
  // The bands must tile the rows exactly once, in order: the assembler relies on it.
  let next = 0;
  for (const band of bands) {
    if (band.start !== next) throw new InvalidPayloadError(`bands must cover rows 0..${height} in order without gaps (band starts at ${band.start}, expected ${next})`);
    next = band.end;
  }
  if (next !== height) throw new InvalidPayloadError(`bands end at row ${next}, not at the scene height ${height}`);
  return { ...base, kind: 'assemble', width, height, bands };
}
