import { AutocmError } from '../util/errors.js';
import type { ReflectanceStack } from '../raster/reflectance-stack.js';
import { bandIndex, cloudSensitiveBand } from './band-roles.js';
import { decBaseline } from './dec.js';
import { hotBaseline } from './hot.js';
import { kmeansBaseline } from './kmeans-baseline.js';
import { runMultiDateBaseline, runPerImageBaseline, type BaselineImageResult, type BaselineRunOptions } from './run-baseline.js';
import { temporalMadScores } from './temporal-mad.js';
import { thresholdBaseline } from './threshold.js';
import { tmaskBandsOf, tmaskScores } from './tmask.js';

/**
 * Label-free baselines. `dec` and `tmask` are the published methods (DEC, Xie et al. 2016; Tmask,
 * Zhu and Woodcock 2014); `kmeans` and `temporal-mad` are the simpler stand-ins that carried those
 * names before issue 16 (docs/baselines.md).
 */
export const BASELINE_NAMES = ['threshold', 'hot', 'kmeans', 'dec', 'temporal-mad', 'tmask'] as const;
export type BaselineName = (typeof BASELINE_NAMES)[number];

/** Names for tables and reports: the published methods under their published names. */
export const BASELINE_LABELS: Record<BaselineName, string> = {
  threshold: 'threshold',
  hot: 'hot',
  kmeans: 'kmeans',
  dec: 'DEC',
  'temporal-mad': 'temporal-mad',
  tmask: 'Tmask',
};

/** Baselines that need a multi-date stack on one grid. */
export const MULTI_DATE_BASELINES: readonly BaselineName[] = ['temporal-mad', 'tmask'];
export const isMultiDateBaseline = (name: string) => (MULTI_DATE_BASELINES as readonly string[]).includes(name);

export interface BaselineParameters {
  /** threshold: mean visible reflectance of cloud (0.3); kmeans, dec: brightness of a cloud cluster (0.2). */
  brightness?: number;
  /** hot: HOT value of cloud (0.04). */
  hot?: number;
  /** kmeans, dec: clusters (5) and seed (1). */
  clusters?: number;
  seed?: number;
  /** dec: autoencoder and clustering steps (default: 40 passes over the sample, 200 to 1500). */
  aeSteps?: number;
  decSteps?: number;
  /** temporal-mad: robust z (3) and smallest departure in reflectance (0.04). */
  kMad?: number;
  minDeparture?: number;
  /** tmask: residual threshold of the cloud and shadow tests (0.04). */
  delta?: number;
}

export function isBaselineName(name: string): name is BaselineName {
  return (BASELINE_NAMES as readonly string[]).includes(name);
}

/** Days since the first date of the stack; every image needs an acquisition date. */
function stackDays(stack: ReflectanceStack, file: string): number[] {
  const undated = stack.images.find((image) => !image.date);
  if (undated) throw new AutocmError('the tmask baseline needs an acquisition date for every image (from the file name or its metadata)', undated.source ?? file);
  const first = stack.images[0]!.date!.getTime();
  return stack.images.map((image) => (image.date!.getTime() - first) / 86_400_000);
}

/** Runs one label-free baseline over a stack (or a single image as a stack of one). */
export async function runBaseline(
  name: BaselineName,
  stack: ReflectanceStack,
  params: BaselineParameters,
  options: BaselineRunOptions,
): Promise<BaselineImageResult[]> {
  const file = stack.images[0]?.source ?? '(empty stack)';
  switch (name) {
    case 'threshold':
      return runPerImageBaseline(name, stack, (bands) => thresholdBaseline(bands, { threshold: params.brightness }), 'clear,cloud', options);
    case 'hot':
      return runPerImageBaseline(name, stack, (bands, f) => hotBaseline(bands, f, { threshold: params.hot }), 'clear,cloud', options);
    case 'kmeans':
      return runPerImageBaseline(
        name,
        stack,
        (bands, f) => kmeansBaseline(bands, f, { k: params.clusters, seed: params.seed, cloudBrightness: params.brightness }),
        'clear,cloud',
        options,
      );
    case 'dec':
      return runPerImageBaseline(
        name,
        stack,
        (bands, f) =>
          decBaseline(bands, f, { k: params.clusters, seed: params.seed, cloudBrightness: params.brightness, aeSteps: params.aeSteps, decSteps: params.decSteps }),
        'clear,cloud',
        options,
      );
    case 'temporal-mad': {
      const vis = cloudSensitiveBand(stack.bandNames);
      const nir = bandIndex(stack.bandNames, 'nir');
      const bands = nir >= 0 ? [vis, nir] : [vis];
      const names = bands.map((i) => stack.bandNames[i]!);
      const mad = { k: params.kMad, minDeparture: params.minDeparture };
      return runMultiDateBaseline(name, stack, bands, (dates) => ({ scores: temporalMadScores(dates, names, file, mad) }), { ...mad, bands: names }, options, file);
    }
    case 'tmask': {
      if (stack.images.length < 3) throw new AutocmError(`the tmask baseline needs a stack of at least 3 dates, got ${stack.images.length}`, file);
      const days = stackDays(stack, file);
      const { indices, roles } = tmaskBandsOf(stack.bandNames);
      const tm = { cloudDelta: params.delta, shadowDelta: params.delta };
      const fit = { bands: indices.map((i) => stack.bandNames[i]!), cloudBand: stack.bandNames[indices[0]!]!, delta: params.delta ?? 0.04 };
      return runMultiDateBaseline(name, stack, indices, (dates) => {
        const result = tmaskScores(dates, days, roles, file, tm);
        return { scores: result.scores, counts: { ...result.counts } };
      }, fit, options, file);
    }
    default:
      throw new AutocmError(`unknown baseline "${String(name)}"; supported: ${BASELINE_NAMES.join(', ')}`);
  }
}
