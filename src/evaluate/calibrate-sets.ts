import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { foldCalibration } from '../model/fold-calibration.js';
import { loadModel, saveModel, unetParameterSpecs } from '../model/weights.js';
import { predictImages } from '../predict/predict-images.js';
import { AutocmError } from '../util/errors.js';
import { evaluateAll } from './evaluate-all.js';
import { expandFolders } from './expand-folders.js';
import { bestMeanF1Bin, emptyLogitHistogram, fitSlope, logitOfBin, operatingPoints, type LogitHistogram, type OperatingPoint } from './logit-histogram.js';

/** One labelled set: images of one sensor and their reference masks. */
export interface CalibrationSet {
  name: string;
  images: string[];
  references: string[];
  sensor?: string;
}

export interface SetCalibration {
  name: string;
  images: number;
  pixels: number;
  cloudPixels: number;
  /** At the threshold chosen on every set. */
  chosen: OperatingPoint;
  /** The best this set alone could reach, and at which (original) probability. */
  ownBest: OperatingPoint & { threshold: number };
  /** At the threshold chosen on the OTHER sets: the honest score of this set. */
  leftOut: OperatingPoint & { threshold: number };
}

export interface SetsCalibrationResult {
  model: string;
  output: string;
  /** Threshold on the model's original probability, and the folded slope. */
  originalThreshold: number;
  slope: number;
  meanF1: number;
  sets: SetCalibration[];
}

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/** Reads a sets file: a JSON array of { name, images, references, sensor? }; paths relative to the file. */
export async function readCalibrationSets(path: string): Promise<CalibrationSet[]> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new AutocmError(`cannot read the calibration sets (${(error as Error).message})`, path);
  }
  const base = dirname(resolve(path));
  const list = (value: unknown, what: string, name: string): string[] => {
    const items = typeof value === 'string' ? [value] : value;
    if (!Array.isArray(items) || items.length === 0 || !items.every((i) => typeof i === 'string')) throw new AutocmError(`set "${name}": ${what} must be a path or a list of paths`, path);
    return items.map((i) => resolve(base, i));
  };
  if (!Array.isArray(parsed) || parsed.length === 0) throw new AutocmError('expected a JSON array of sets { "name", "images", "references", "sensor"? }', path);
  return parsed.map((entry, i) => {
    const e = entry as Record<string, unknown>;
    const name = typeof e.name === 'string' ? e.name : `set ${i + 1}`;
    const sensor = typeof e.sensor === 'string' ? (e.sensor.endsWith('.json') ? resolve(base, e.sensor) : e.sensor) : undefined;
    return { name, images: list(e.images, 'images', name), references: list(e.references, 'references', name), ...(sensor ? { sensor } : {}) };
  });
}

/**
 * Calibrates a model on several labelled sets (e.g. real scenes of different sensors): the
 * threshold of the best MEAN F1 over the sets, so that no sensor dominates by its pixel count, and
 * a slope fitted by likelihood; both are folded into the mask head (foldCalibration), so the
 * written model's threshold is 0.5. Each set is also scored at the threshold the other sets
 * choose (leave one set out), which is the figure to trust for data the calibration never saw.
 */
export async function calibrateOnSets(options: { model: string; sets: CalibrationSet[]; output: string; threads?: number; quiet?: boolean }): Promise<SetsCalibrationResult> {
  if (options.sets.length < 2) throw new AutocmError('calibration on sets needs at least two sets (one set: give images and --ref)');
  const model = await loadModel(options.model);
  const work = await mkdtemp(join(tmpdir(), 'autocm-calibrate-'));
  const histograms: LogitHistogram[] = [];
  const imageCounts: number[] = [];
  try {
    for (const set of options.sets) {
      const out = await mkdtemp(join(work, 'set-'));
      const predicted = await predictImages(set.images, { model: options.model, outputDirectory: out, sensor: set.sensor, format: 'float32', shadows: false, threads: options.threads, quiet: options.quiet });
      const logits = emptyLogitHistogram();
      await evaluateAll(
        predicted.images.map((image) => image.outputs.probability),
        await expandFolders(set.references),
        { logits },
      );
      if (logits.positives.every((c) => c === 0)) throw new AutocmError(`set "${set.name}" holds no cloud in its references: it cannot calibrate a threshold`, set.references.join(' '));
      histograms.push(logits);
      imageCounts.push(predicted.images.length);
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  const points = histograms.map(operatingPoints);
  const chosen = bestMeanF1Bin(points);
  const everythingCloud = points.reduce((s, p) => s + p[0]!.f1!, 0) / points.length;
  if (chosen.meanF1 <= everythingCloud + 0.02) {
    throw new AutocmError(`the model does not separate clouds from clear pixels on these sets: its best mean F1 ${chosen.meanF1.toFixed(3)} is no better than marking every pixel cloud (${everythingCloud.toFixed(3)})`, options.model);
  }
  const logitThreshold = logitOfBin(chosen.bin);
  const slope = fitSlope(histograms, logitThreshold);
  const sets: SetCalibration[] = options.sets.map((set, i) => {
    const own = points[i]!;
    const ownBest = own.reduce((best, p, bin) => (bin > 0 && (p.f1 ?? -1) > (own[best]!.f1 ?? -1) ? bin : best), 1);
    const others = bestMeanF1Bin(points.filter((_, j) => j !== i)).bin;
    return {
      name: set.name,
      images: imageCounts[i]!,
      pixels: histograms[i]!.positives.reduce((a, b) => a + b, 0) + histograms[i]!.negatives.reduce((a, b) => a + b, 0),
      cloudPixels: histograms[i]!.positives.reduce((a, b) => a + b, 0),
      chosen: own[chosen.bin]!,
      ownBest: { ...own[ownBest]!, threshold: sigmoid(logitOfBin(ownBest)) },
      leftOut: { ...own[others]!, threshold: sigmoid(logitOfBin(others)) },
    };
  });
  const originalThreshold = sigmoid(logitThreshold);
  const names = unetParameterSpecs(model.metadata.inputBands).map((p) => p.name);
  const folded = foldCalibration(
    { ...model, tensors: new Map(names.map((n) => [n, model.tensors.get(n)!])), shapes: new Map(names.map((n) => [n, model.shapes.get(n)!])) },
    slope,
    logitThreshold,
  );
  folded.metadata = {
    ...model.metadata,
    threshold: 0.5,
    calibration: {
      method: 'threshold of the best mean F1 over labelled sets, slope by likelihood, both folded into the mask head (p = sigmoid(slope (z - t)))',
      originalThreshold,
      logitThreshold,
      slope,
      meanF1: chosen.meanF1,
      sets: sets.map((s, i) => ({ ...s, images: options.sets[i]!.images, references: options.sets[i]!.references, sensor: options.sets[i]!.sensor ?? null })),
      calibratedAt: new Date().toISOString(),
    },
  };
  await saveModel(options.output, folded);
  return { model: options.model, output: options.output, originalThreshold, slope, meanF1: chosen.meanF1, sets };
}
