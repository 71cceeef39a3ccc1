import { version } from '../version.js';
import { AutocmError } from '../util/errors.js';
import { type BlockSpec, unetSpec } from './description.js';
import { readTensorBundle, TF_FLOAT } from './tensor-bundle.js';
import { type ModelFile, type ModelMetadata, saveModel, unetParameterSpecs } from './weights.js';

/**
 * Import of the authors' Keras U-Net checkpoint (`u_model.save_weights(PREFIX)`) into an autocm
 * model. Keras names the variables by position: `layer_with_weights-B/layer_with_weights-L/ATTR`
 * with B the top-level block (down0, down1, down2, up0, up1, last, last2) and L the index of the
 * layer among the block's layers that hold weights: a conv at even L, its BatchNormalization at L+1.
 */

export interface KerasImportOptions {
  /** Sensor profile name; default `planetscope4` for a 4-band checkpoint imported without `bands`. */
  sensor?: string | null;
  /** Band names in input order; default Blue, Green, Red, NIR (PlanetScope) for 4 bands. */
  bands?: string[];
}

const VARIABLE_SUFFIX = '/.ATTRIBUTES/VARIABLE_VALUE';
const PLANETSCOPE_BANDS = ['Blue', 'Green', 'Red', 'NIR'];
/** Checkpoint entries that are not network weights: the object graph, save counter, optimiser state. */
const NON_WEIGHT_KEY = /^(_CHECKPOINTABLE_OBJECT_GRAPH$|save_counter\/|optimizer\/)|\/\.OPTIMIZER_SLOT\//;

function blocksInKerasOrder(bands: number): BlockSpec[] {
  const spec = unetSpec(bands);
  return [...spec.down, ...spec.up, spec.maskHead, spec.brightnessHead];
}

/** checkpoint key -> our parameter name, for the U-Net with `bands` input bands. */
export function kerasKeyMap(bands: number): Map<string, string> {
  const map = new Map<string, string>();
  blocksInKerasOrder(bands).forEach((block, b) => {
    let l = 0;
    const key = (layerIndex: number, attribute: string) => `layer_with_weights-${b}/layer_with_weights-${layerIndex}/${attribute}${VARIABLE_SUFFIX}`;
    for (const layer of block.layers) {
      const convIndex = l++;
      map.set(key(convIndex, 'kernel'), `${layer.name}.kernel`);
      map.set(key(convIndex, 'bias'), `${layer.name}.bias`);
      if (layer.batchNorm) {
        const bnIndex = l++;
        for (const attribute of ['gamma', 'beta', 'moving_mean', 'moving_variance']) map.set(key(bnIndex, attribute), `${layer.batchNorm}.${attribute}`);
      }
    }
  });
  return map;
}

const FIRST_KERNEL_KEY = `layer_with_weights-0/layer_with_weights-0/kernel${VARIABLE_SUFFIX}`;

/** Reads the checkpoint at `prefix` (PREFIX.index + PREFIX.data-*) and returns it as an autocm model. */
export async function kerasCheckpointToModel(prefix: string, options: KerasImportOptions = {}): Promise<ModelFile> {
  const indexPath = `${prefix}.index`;
  const tensors = await readTensorBundle(prefix);
  const byKey = new Map(tensors.map((t) => [t.key, t]));
  const refuse = (why: string) => new AutocmError(`this checkpoint does not fit the Auto-CM U-Net: ${why}`, indexPath);

  const first = byKey.get(FIRST_KERNEL_KEY);
  if (!first || first.shape.length !== 4) throw refuse(`no 4-D first conv kernel (${FIRST_KERNEL_KEY})`);
  const bands = first.shape[2]!;
  if (bands < 1) throw refuse(`first conv kernel has shape [${first.shape}]`);

  const keyMap = kerasKeyMap(bands);
  const specs = new Map(unetParameterSpecs(bands).map((s) => [s.name, s]));
  const missing = [...keyMap.keys()].filter((k) => !byKey.has(k));
  if (missing.length) throw refuse(`${missing.length} variable(s) missing, e.g. ${missing.slice(0, 3).join(', ')}`);
  const extra = tensors.map((t) => t.key).filter((k) => !keyMap.has(k) && !NON_WEIGHT_KEY.test(k));
  if (extra.length) throw refuse(`${extra.length} unexpected variable(s), e.g. ${extra.slice(0, 3).join(', ')}`);

  const model: ModelFile = { metadata: importMetadata(prefix, bands, options, indexPath), tensors: new Map(), shapes: new Map() };
  // Stored in description order, whatever the key order of the checkpoint.
  const nameToKey = new Map([...keyMap].map(([key, name]) => [name, key]));
  for (const [name, spec] of specs) {
    const key = nameToKey.get(name)!;
    const tensor = byKey.get(key)!;
    if (tensor.dtype !== TF_FLOAT || !tensor.values) throw refuse(`${key} has dtype ${tensor.dtype}, expected float32`);
    if (tensor.shape.length !== spec.shape.length || tensor.shape.some((d, i) => d !== spec.shape[i])) {
      throw refuse(`${key} (${name}) has shape [${tensor.shape}], expected [${spec.shape}]`);
    }
    model.tensors.set(name, tensor.values);
    model.shapes.set(name, [...spec.shape]);
  }
  return model;
}

function importMetadata(prefix: string, bands: number, options: KerasImportOptions, indexPath: string): ModelMetadata {
  const names = options.bands ?? (bands === PLANETSCOPE_BANDS.length ? PLANETSCOPE_BANDS : undefined);
  if (!names) throw new AutocmError(`the checkpoint has ${bands} input bands: name them with --bands`, indexPath);
  if (names.length !== bands) throw new AutocmError(`${names.length} band names given but the checkpoint has ${bands} input bands`, indexPath);
  const sensor = options.sensor !== undefined ? options.sensor : options.bands ? null : 'planetscope4';
  return {
    format: 'autocm-model',
    formatVersion: 1,
    autocmVersion: version,
    sensor,
    bands: [...names],
    // The reference inference (AutoCM_testing.py, is_stretch=True) stretches each image 2 %..98 %.
    normalisation: { mode: 'stretch', lowPercentile: 2, highPercentile: 98 },
    architecture: 'autocm-unet',
    inputBands: bands,
    source: prefix,
    createdAt: new Date().toISOString(),
  };
}

/** Imports the checkpoint at `prefix` and writes it (atomically) as an autocm `.safetensors` model. */
export async function importKerasCheckpoint(prefix: string, outputPath: string, options: KerasImportOptions = {}): Promise<ModelFile> {
  const model = await kerasCheckpointToModel(prefix, options);
  await saveModel(outputPath, model);
  return model;
}
