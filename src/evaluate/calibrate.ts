import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadModel, saveModel, unetParameterSpecs, type ModelFile } from '../model/weights.js';
import { predictImages } from '../predict/predict-images.js';
import { AutocmError } from '../util/errors.js';
import { evaluateAll } from './evaluate-all.js';
import { expandFolders } from './expand-folders.js';
import type { PairBy } from './pairing.js';
import type { SweepPoint } from './threshold-sweep.js';

/** How much better than "every pixel is cloud" a calibrated model must score (F1). */
const MIN_GAIN_OVER_EVERYTHING_CLOUD = 0.02;

export interface CalibrateOptions {
  model: string;
  images: string[];
  /** Reference masks or folders of them. */
  references: string[];
  /** Where the calibrated model is written (absent: only scored, nothing written). */
  output?: string;
  /** Where the images and references came from, for the metadata when their paths do not last (e.g. the command that made them). */
  source?: string;
  sensor?: string;
  pairBy?: PairBy;
  threads?: number;
  quiet?: boolean;
}

export interface CalibrationResult {
  model: string;
  output: string | null;
  threshold: number;
  f1: number;
  f1AtHalf: number | null;
  images: number;
  pixels: number;
}

/**
 * Chooses a model's probability threshold: predicts the images, pools the cloud precision-recall
 * curve against their reference masks and keeps the threshold of the best F1; a model whose best
 * F1 is no better than marking every pixel cloud is refused. The references may
 * be synthetic truth (autocm synth), so a model stays label-free on real data. Writes the U-Net
 * (without Siamese or optimiser tensors) with the threshold and how it was found in its metadata.
 */
export async function calibrateThreshold(options: CalibrateOptions): Promise<CalibrationResult> {
  const model = await loadModel(options.model);
  const work = await mkdtemp(join(tmpdir(), 'autocm-calibrate-'));
  try {
    const predicted = await predictImages(options.images, { model: options.model, outputDirectory: work, sensor: options.sensor, format: 'float32', shadows: false, threads: options.threads, quiet: options.quiet });
    const probabilities = predicted.images.map((image) => image.outputs.probability);
    const references = await expandFolders(options.references);
    const evaluation = await evaluateAll(probabilities, references, { pairBy: options.pairBy, threshold: 0.5 });
    const sweep = evaluation.pooled.sweep;
    if (!sweep?.best) throw new AutocmError(`no threshold can be chosen: ${sweep?.undefinedReason ?? 'the references hold no cloud'}`, options.references.join(' '));
    // Threshold 0 marks every pixel cloud: never a mask, though on a cloudy set it can win on F1.
    const best = sweep.points
      .filter((point) => point.threshold > 0 && point.f1 !== null && point.recall !== null)
      .reduce<SweepPoint | null>((a, b) => (a === null || b.f1! > a.f1! ? b : a), null);
    const everythingCloud = sweep.points[0]?.f1 ?? 0;
    if (!best || best.f1! <= everythingCloud + MIN_GAIN_OVER_EVERYTHING_CLOUD) {
      throw new AutocmError(
        `the model does not separate clouds from clear pixels on these references: its best F1 ${(best?.f1 ?? 0).toFixed(3)} is no better than marking every pixel cloud (F1 ${everythingCloud.toFixed(3)}); train it longer or check its bands and normalisation`,
        options.model,
      );
    }
    const threshold = best.threshold;
    const calibration = {
      images: probabilities.length,
      references: options.references,
      ...(options.source ? { source: options.source } : {}),
      pixels: evaluation.pooled.cloud.strict.pixels,
      f1: best.f1!,
      precision: best.precision,
      recall: best.recall,
      f1AtHalf: evaluation.pooled.cloud.strict.f1,
      calibratedAt: new Date().toISOString(),
    };
    if (options.output) await saveModel(options.output, calibratedModel(model, threshold, calibration));
    return { model: options.model, output: options.output ?? null, threshold, f1: best.f1!, f1AtHalf: calibration.f1AtHalf, images: calibration.images, pixels: calibration.pixels };
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
