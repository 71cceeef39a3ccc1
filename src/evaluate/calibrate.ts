import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadModel, saveModel, unetParameterSpecs, type ModelFile } from '../model/weights.js';
import { predictImages } from '../predict/predict-images.js';
import { AutocmError } from '../util/errors.js';
import { evaluateAll } from './evaluate-all.js';
import { expandFolders } from './expand-folders.js';
import type { PairBy } from './pairing.js';

export interface CalibrateOptions {
  model: string;
  images: string[];
  /** Reference masks or folders of them. */
  references: string[];
  output: string;
  sensor?: string;
  pairBy?: PairBy;
  threads?: number;
  quiet?: boolean;
}

export interface CalibrationResult {
  model: string;
  output: string;
  threshold: number;
  f1: number;
  f1AtHalf: number | null;
  images: number;
  pixels: number;
}

/**
 * Chooses a model's probability threshold: predicts the images, pools the cloud precision-recall
 * curve against their reference masks and keeps the threshold of the best F1. The references may
 * be synthetic truth (autocm synth), so a model stays label-free on real data. Writes the U-Net
 * (without Siamese or optimiser tensors) with the threshold and how it was found in its metadata.
 */
export async function calibrateThreshold(options: CalibrateOptions): Promise<CalibrationResult> {
  const model = await loadModel(options.model);
  const work = await mkdtemp(join(tmpdir(), 'autocm-calibrate-'));
  try {
    const predicted = await predictImages(options.images, { model: options.model, outputDirectory: work, sensor: options.sensor, format: 'float32', threads: options.threads, quiet: options.quiet });
    const probabilities = predicted.images.map((image) => image.outputs.probability);
    const references = await expandFolders(options.references);
    const evaluation = await evaluateAll(probabilities, references, { pairBy: options.pairBy, threshold: 0.5 });
    const best = evaluation.pooled.sweep?.best;
    if (!best) throw new AutocmError(`no threshold can be chosen: ${evaluation.pooled.sweep?.undefinedReason ?? 'the references hold no cloud'}`, options.references.join(' '));
    const threshold = best.threshold;
    const calibration = {
      images: probabilities.length,
      references: options.references,
      pixels: evaluation.pooled.cloud.strict.pixels,
      f1: best.f1,
      precision: best.precision,
      recall: best.recall,
      f1AtHalf: evaluation.pooled.cloud.strict.f1,
      calibratedAt: new Date().toISOString(),
    };
    await saveModel(options.output, calibratedModel(model, threshold, calibration));
    return { model: options.model, output: options.output, threshold, f1: best.f1, f1AtHalf: calibration.f1AtHalf, images: calibration.images, pixels: calibration.pixels };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

function calibratedModel(model: ModelFile, threshold: number, calibration: Record<string, unknown>): ModelFile {
  const names = unetParameterSpecs(model.metadata.inputBands).map((p) => p.name);
  return {
    metadata: { ...model.metadata, threshold, calibration },
    tensors: new Map(names.map((name) => [name, model.tensors.get(name)!])),
    shapes: new Map(names.map((name) => [name, model.shapes.get(name)!])),
  };
}
