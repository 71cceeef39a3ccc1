import { mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import { loadModel } from '../model/weights.js';
import { predictImages } from '../predict/predict-images.js';
import { openStack } from '../raster/stack.js';
import { reflectanceStackOf, type ReflectanceStack } from '../raster/reflectance-stack.js';
import { runBaseline, type BaselineName, type BaselineParameters } from '../baselines/registry.js';
import { evaluateAll } from './evaluate-all.js';
import { expandFolders } from './expand-folders.js';
import type { RealSet } from './real-sets.js';

/** Pooled cloud scores of one method on one labelled set. */
export interface SetScore {
  method: string;
  set: string;
  threshold: number;
  precision: number | null;
  recall: number | null;
  f1: number | null;
  /** The best F1 any threshold reaches on this set (the ranking, whatever the calibration). */
  bestF1: number | null;
  bestThreshold: number | null;
  /** F1 at the thresholds 0, 0.01, ..., 1. */
  sweep: (number | null)[];
  seconds: number;
}

export async function score(method: string, set: Pick<RealSet, 'name' | 'references'>, probabilities: string[], threshold: number, started: number): Promise<SetScore> {
  const evaluation = await evaluateAll(probabilities, await expandFolders([set.references]), { threshold });
  const strict = evaluation.pooled.cloud.strict;
  const best = evaluation.pooled.sweep?.best ?? null;
  return {
    method,
    set: set.name,
    threshold,
    precision: strict.precision,
    recall: strict.recall,
    f1: strict.f1,
    bestF1: best?.f1 ?? null,
    bestThreshold: best?.threshold ?? null,
    sweep: evaluation.pooled.sweep?.points.map((point) => point.f1) ?? [],
    seconds: (performance.now() - started) / 1000,
  };
}

/** A model's masks of the set at its own threshold (calibrated, else 0.5), written under `work`. */
export async function scoreModelOnSet(model: string, method: string, set: RealSet, work: string): Promise<SetScore> {
  const started = performance.now();
  const threshold = (await loadModel(model)).metadata.threshold ?? 0.5;
  const out = await mkdtemp(join(work, 'model-'));
  const predicted = await predictImages(set.images, { model, outputDirectory: out, sensor: set.sensor, format: 'float32', shadows: false, quiet: true, readInWorker: false });
  return score(method, set, predicted.images.map((image) => image.outputs.probability), threshold, started);
}

/** A label-free baseline's masks of the set (blue, green, red, NIR), written under `work`. */
export async function scoreBaselineOnSet(name: BaselineName, params: BaselineParameters, method: string, set: RealSet, work: string): Promise<SetScore> {
  const stack = reflectanceStackOf(await openStack(set.images, { sensor: set.sensor, bands: ['blue', 'green', 'red', 'nir'] }));
  return scoreBaselineOnStack(name, params, method, set, stack, work);
}

/** A label-free baseline's masks of a stack opened by the caller (any bands), scored against the set's references at 0.5. */
export async function scoreBaselineOnStack(
  name: BaselineName,
  params: BaselineParameters,
  method: string,
  set: Pick<RealSet, 'name' | 'references'>,
  stack: ReflectanceStack,
  work: string,
): Promise<SetScore> {
  const started = performance.now();
  const out = await mkdtemp(join(work, 'baseline-'));
  const results = await runBaseline(name, stack, params, { outDir: out });
  return score(method, set, results.map((r) => r.outputs.probability), 0.5, started);
}

/** The baselines compared with every model: the one-line brightness rule, the stand-ins and the published DEC and Tmask. */
export const COMPARED_BASELINES: { name: BaselineName; params: BaselineParameters; method: string; multiDate?: boolean }[] = [
  { name: 'threshold', params: { brightness: 0.2 }, method: 'brightness 0.2' },
  { name: 'threshold', params: {}, method: 'threshold' },
  { name: 'hot', params: {}, method: 'hot' },
  { name: 'kmeans', params: {}, method: 'kmeans' },
  { name: 'dec', params: {}, method: 'DEC' },
  { name: 'temporal-mad', params: {}, method: 'temporal-mad', multiDate: true },
  { name: 'tmask', params: {}, method: 'Tmask', multiDate: true },
];
