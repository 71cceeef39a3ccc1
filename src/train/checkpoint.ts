import { existsSync } from 'node:fs';
import type { AdamState } from '../engine/adam.js';
import { type ModelFile, type ModelMetadata, loadModel, saveModel } from '../model/weights.js';
import { AutocmError } from '../util/errors.js';
import { type TrainConfig, configDifferences } from './config.js';

/**
 * A checkpoint is an autocm model file (loadable for prediction) that also holds the Siamese
 * weights, Adam's moments (`adam.m.<name>`, `adam.v.<name>`) and, in its metadata, the step, Adam's
 * t and the configuration. The sampler's random stream is derived from (seed, step), so the step
 * is the whole random state. Written atomically (temp + rename) by saveModel.
 */
export interface TrainingState {
  step: number;
  params: Map<string, Float32Array>;
  adam: AdamState;
}

export function checkpointPathFor(modelPath: string): string {
  return modelPath.replace(/(\.safetensors)?$/, '.checkpoint.safetensors');
}

export async function saveCheckpoint(
  path: string,
  metadata: ModelMetadata,
  config: TrainConfig,
  state: TrainingState,
  shapes: Map<string, number[]>,
): Promise<void> {
  const tensors = new Map(state.params);
  const allShapes = new Map(shapes);
  for (const [name, m] of state.adam.m) {
    tensors.set(`adam.m.${name}`, m);
    tensors.set(`adam.v.${name}`, state.adam.v.get(name)!);
    allShapes.set(`adam.m.${name}`, shapes.get(name)!);
    allShapes.set(`adam.v.${name}`, shapes.get(name)!);
  }
  const model: ModelFile = {
    metadata: { ...metadata, training: { kind: 'checkpoint', step: state.step, adamT: state.adam.t, config } },
    tensors,
    shapes: allShapes,
  };
  await saveModel(path, model);
}

/** Loads a checkpoint and refuses one written for another configuration, naming the differences. */
export async function loadCheckpoint(path: string, config: TrainConfig, names: Map<string, number[]>): Promise<TrainingState> {
  if (!existsSync(path)) throw new AutocmError('checkpoint file not found', path);
  const model = await loadModel(path);
  const training = model.metadata.training as { kind?: string; step?: number; adamT?: number; config?: TrainConfig } | undefined;
  if (training?.kind !== 'checkpoint' || typeof training.step !== 'number' || !training.config) {
    throw new AutocmError('is a model file, not a training checkpoint (no step, configuration or optimiser state)', path);
  }
  const differences = configDifferences(training.config, config);
  if (differences.length > 0) throw new AutocmError(`was written for another configuration: ${differences.join('; ')}`, path);
  const params = new Map<string, Float32Array>();
  const m = new Map<string, Float32Array>();
  const v = new Map<string, Float32Array>();
  for (const [name, shape] of names) {
    const size = shape.reduce((a, b) => a * b, 1);
    const values = model.tensors.get(name);
    if (!values || values.length !== size) throw new AutocmError(`lacks tensor ${name} [${shape}]`, path);
    params.set(name, values);
    const mm = model.tensors.get(`adam.m.${name}`);
    const vv = model.tensors.get(`adam.v.${name}`);
    if (mm && vv) {
      m.set(name, mm);
      v.set(name, vv);
    }
  }
  return { step: training.step, params, adam: { t: training.adamT ?? training.step, m, v } };
}
