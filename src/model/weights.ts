import { readFile } from 'node:fs/promises';
import { AutocmError } from '../util/errors.js';
import { writeFileAtomically } from '../util/atomic.js';
import { parameterSpecs, unetLayers, unetSpec, type ParameterSpec } from './description.js';

/**
 * The autocm weight file: a `.safetensors` file (8-byte little-endian header length, a JSON
 * header, then raw little-endian tensor data) whose `__metadata__` holds our metadata as one
 * JSON string under the key `autocm` (safetensors metadata values must be strings).
 */

export type Normalisation =
  | { mode: 'stretch'; lowPercentile: number; highPercentile: number }
  /** normalised = raw * scale + offset (e.g. scale 1e-4, offset 0 for DN/10000). */
  | { mode: 'scale'; scale: number; offset: number }
  /** Use the sensor profile's reflectance scaling. */
  | { mode: 'reflectance' };

export interface ModelMetadata {
  format: 'autocm-model';
  formatVersion: 1;
  autocmVersion: string;
  sensor: string | null;
  /** Band names in input order. */
  bands: string[];
  normalisation: Normalisation;
  architecture: 'autocm-unet';
  inputBands: number;
  training?: Record<string, unknown>;
  /** Probability threshold chosen by `autocm model calibrate`; predict uses it when no --threshold is given. */
  threshold?: number;
  /** How the threshold was chosen: images, references, F1 at it and at 0.5. */
  calibration?: Record<string, unknown>;
  /** Where the weights came from (e.g. the imported Keras checkpoint). */
  source?: string;
  /** Radiometry guessed for the training images (unknown Sentinel-2 baseline, no MTL, int8), one line per kind of guess. */
  radiometryGuesses?: string[];
  /** ISO 8601 time of creation. */
  createdAt: string;
}

export interface ModelFile {
  metadata: ModelMetadata;
  /** U-Net parameters (Keras layout) and any extras (Siamese `sim.*`, optimiser state). */
  tensors: Map<string, Float32Array>;
  shapes: Map<string, number[]>;
}

const METADATA_KEY = 'autocm';
const HEADER_ALIGNMENT = 8;
/** A header larger than this is not one of ours (safetensors itself caps it at 100 MB). */
const MAX_HEADER_BYTES = 100_000_000;

/** The parameters a model with `inputBands` bands must hold. */
export function unetParameterSpecs(inputBands: number): ParameterSpec[] {
  return parameterSpecs(unetLayers(unetSpec(inputBands)));
}

/** Number of float values in the U-Net parameters of a model. */
export function unetParameterCount(inputBands: number): number {
  return unetParameterSpecs(inputBands).reduce((n, p) => n + p.shape.reduce((a, b) => a * b, 1), 0);
}

/** Serialises a model to safetensors bytes (tensors in the map's order). */
export function encodeModel(model: ModelFile): Uint8Array {
  const header: Record<string, unknown> = { __metadata__: { [METADATA_KEY]: JSON.stringify(model.metadata) } };
  let offset = 0;
  for (const [name, values] of model.tensors) {
    const shape = model.shapes.get(name);
    if (!shape) throw new Error(`tensor ${name} has no shape`);
    const size = shape.reduce((a, b) => a * b, 1);
    if (size !== values.length) throw new Error(`tensor ${name} has ${values.length} values but shape [${shape}]`);
    header[name] = { dtype: 'F32', shape, data_offsets: [offset, offset + values.byteLength] };
    offset += values.byteLength;
  }
  let json = JSON.stringify(header);
  const encoder = new TextEncoder();
  let headerBytes = encoder.encode(json);
  const padding = (HEADER_ALIGNMENT - (headerBytes.length % HEADER_ALIGNMENT)) % HEADER_ALIGNMENT;
  if (padding) {
    json += ' '.repeat(padding);
    headerBytes = encoder.encode(json);
  }
  const bytes = new Uint8Array(8 + headerBytes.length + offset);
  new DataView(bytes.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  bytes.set(headerBytes, 8);
  let position = 8 + headerBytes.length;
  for (const values of model.tensors.values()) {
    bytes.set(new Uint8Array(values.buffer, values.byteOffset, values.byteLength), position);
    position += values.byteLength;
  }
  return bytes;
}

/** Writes the model atomically: a crash never leaves a half-written file under `path`. */
export async function saveModel(path: string, model: ModelFile): Promise<void> {
  validateModel(model, path);
  const bytes = encodeModel(model);
  await writeFileAtomically(path, bytes);
}

/** Reads and validates a model file; every problem is an AutocmError naming `path`. */
export async function loadModel(path: string): Promise<ModelFile> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new AutocmError(`cannot read model file (${(error as NodeJS.ErrnoException).code ?? String(error)})`, path);
  }
  const model = decodeModel(bytes, path);
  validateModel(model, path);
  return model;
}

interface HeaderEntry {
  dtype: string;
  shape: number[];
  data_offsets: [number, number];
}

/** Parses safetensors bytes; `path` only names the file in errors. */
export function decodeModel(bytes: Uint8Array, path: string): ModelFile {
  const notSafetensors = (why: string) => new AutocmError(`not an autocm .safetensors model file: ${why}`, path);
  if (bytes.length < 8) throw notSafetensors(`only ${bytes.length} bytes`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = Number(view.getBigUint64(0, true));
  if (headerLength < 2 || headerLength > MAX_HEADER_BYTES || 8 + headerLength > bytes.length) {
    throw notSafetensors(`header length ${headerLength} does not fit a file of ${bytes.length} bytes`);
  }
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLength))) as Record<string, unknown>;
  } catch {
    throw notSafetensors('the header is not JSON');
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) throw notSafetensors('the header is not a JSON object');

  const rawMetadata = header.__metadata__ as Record<string, unknown> | undefined;
  const metadataJson = rawMetadata?.[METADATA_KEY];
  if (typeof metadataJson !== 'string') {
    throw new AutocmError(`safetensors file without autocm metadata (no "__metadata__"."${METADATA_KEY}" entry)`, path);
  }
  let metadata: unknown;
  try {
    metadata = JSON.parse(metadataJson);
  } catch {
    throw new AutocmError('the autocm metadata is not valid JSON', path);
  }

  const dataStart = 8 + headerLength;
  const dataLength = bytes.length - dataStart;
  const tensors = new Map<string, Float32Array>();
  const shapes = new Map<string, number[]>();
  for (const [name, value] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const entry = value as HeaderEntry;
    if (entry?.dtype !== 'F32') throw new AutocmError(`tensor ${name} has dtype ${String(entry?.dtype)}; only F32 is supported`, path);
    const shape = entry.shape;
    const offsets = entry.data_offsets;
    if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0) || !Array.isArray(offsets) || offsets.length !== 2) {
      throw new AutocmError(`tensor ${name} has a malformed header entry`, path);
    }
    const [begin, end] = offsets;
    const size = shape.reduce((a, b) => a * b, 1);
    if (!Number.isInteger(begin) || !Number.isInteger(end) || begin < 0 || end > dataLength || end - begin !== size * 4) {
      throw new AutocmError(`tensor ${name} [${shape}] has data offsets [${begin}, ${end}] that do not fit the file (${dataLength} data bytes)`, path);
    }
    // A copy: the views would otherwise need 4-byte alignment of the file buffer and keep it alive.
    const values = new Float32Array(size);
    new Uint8Array(values.buffer).set(bytes.subarray(dataStart + begin, dataStart + end));
    tensors.set(name, values);
    shapes.set(name, [...shape]);
  }
  return { metadata: metadata as ModelMetadata, tensors, shapes };
}

/**
 * Checks the metadata, that every U-Net parameter is present with its shape (extras are allowed)
 * and that no weight is NaN or infinite (such a model masks nothing, silently).
 */
export function validateModel(model: ModelFile, path: string): void {
  const metadata = model.metadata as Partial<ModelMetadata> | null;
  const bad = (why: string) => new AutocmError(`invalid model metadata: ${why}`, path);
  if (typeof metadata !== 'object' || metadata === null) throw bad('not a JSON object');
  if (metadata.format !== 'autocm-model') throw bad(`format is ${JSON.stringify(metadata.format)}, expected "autocm-model"`);
  if (metadata.formatVersion !== 1) throw bad(`formatVersion ${JSON.stringify(metadata.formatVersion)} is not supported (this autocm reads version 1)`);
  if (metadata.architecture !== 'autocm-unet') throw bad(`architecture ${JSON.stringify(metadata.architecture)} is not "autocm-unet"`);
  const bands = metadata.inputBands;
  if (typeof bands !== 'number' || !Number.isInteger(bands) || bands < 1) throw bad(`inputBands ${JSON.stringify(bands)} is not a positive integer`);
  if (!Array.isArray(metadata.bands) || metadata.bands.length !== bands || !metadata.bands.every((b) => typeof b === 'string')) {
    throw bad(`bands must list ${bands} band names, got ${JSON.stringify(metadata.bands)}`);
  }
  validateNormalisation(metadata.normalisation, bad);

  for (const spec of unetParameterSpecs(bands)) {
    const values = model.tensors.get(spec.name);
    if (!values) throw new AutocmError(`missing tensor ${spec.name} (shape [${spec.shape}]) of the ${bands}-band U-Net`, path);
    const shape = model.shapes.get(spec.name);
    if (!shape || shape.length !== spec.shape.length || shape.some((d, i) => d !== spec.shape[i])) {
      throw new AutocmError(`tensor ${spec.name} has shape [${shape ?? '?'}], expected [${spec.shape}]`, path);
    }
  }
  checkFiniteWeights(model, path);
}

/** Optimiser state of checkpoints (`adam.*`) is not a weight: it may overflow without harm to the model. */
function checkFiniteWeights(model: ModelFile, path: string): void {
  for (const [name, values] of model.tensors) {
    if (name.startsWith('adam.')) continue;
    const at = values.findIndex((v) => !Number.isFinite(v));
    if (at >= 0) {
      const count = values.reduce((n, v) => n + (Number.isFinite(v) ? 0 : 1), 0);
      throw new AutocmError(`tensor ${name} holds ${count} non-finite value${count === 1 ? '' : 's'} (first: ${values[at]} at index ${at}): the model is broken`, path);
    }
  }
}

function validateNormalisation(value: unknown, bad: (why: string) => AutocmError): void {
  const n = value as Record<string, unknown> | undefined;
  const finite = (x: unknown) => typeof x === 'number' && Number.isFinite(x);
  switch (n?.mode) {
    case 'stretch':
      if (!finite(n.lowPercentile) || !finite(n.highPercentile) || !((n.lowPercentile as number) >= 0 && (n.lowPercentile as number) < (n.highPercentile as number) && (n.highPercentile as number) <= 100)) {
        throw bad(`stretch percentiles ${JSON.stringify(n)} must satisfy 0 <= low < high <= 100`);
      }
      return;
    case 'scale':
      if (!finite(n.scale) || !finite(n.offset) || n.scale === 0) throw bad(`scale normalisation ${JSON.stringify(n)} needs a finite non-zero scale and a finite offset`);
      return;
    case 'reflectance':
      return;
    default:
      throw bad(`normalisation ${JSON.stringify(value)} is not one of stretch, scale, reflectance`);
  }
}
