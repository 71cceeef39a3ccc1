import { AutocmError } from '../util/errors.js';
import type { ReflectanceStack } from '../raster/reflectance-stack.js';
import { bandIndex, cloudSensitiveBand } from './band-roles.js';
import { decBaseline } from './dec.js';
import { hotBaseline } from './hot.js';
import { runPerImageBaseline, runTmaskBaseline, type BaselineImageResult, type BaselineRunOptions } from './run-baseline.js';
import { thresholdBaseline } from './threshold.js';

export const BASELINE_NAMES = ['threshold', 'hot', 'dec', 'tmask'] as const;
export type BaselineName = (typeof BASELINE_NAMES)[number];

export interface BaselineParameters {
  /** threshold: mean visible reflectance of cloud (0.3); dec: brightness of a cloud cluster (0.2). */
  brightness?: number;
  /** hot: HOT value of cloud (0.04). */
  hot?: number;
  /** dec: clusters (5) and seed (1). */
  clusters?: number;
  seed?: number;
  /** tmask: robust z (3) and smallest departure in reflectance (0.04). */
  kMad?: number;
  minDeparture?: number;
}

export function isBaselineName(name: string): name is BaselineName {
  return (BASELINE_NAMES as readonly string[]).includes(name);
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
    case 'dec':
      return runPerImageBaseline(
        name,
        stack,
        (bands, f) => decBaseline(bands, f, { k: params.clusters, seed: params.seed, cloudBrightness: params.brightness }),
        'clear,cloud',
        options,
      );
    case 'tmask': {
      const vis = cloudSensitiveBand(stack.bandNames);
      const nir = bandIndex(stack.bandNames, 'nir');
      const bands = nir >= 0 ? [vis, nir] : [vis];
      return runTmaskBaseline(stack, bands, { k: params.kMad, minDeparture: params.minDeparture }, options, file);
    }
    default:
      throw new AutocmError(`unknown baseline "${String(name)}"; supported: ${BASELINE_NAMES.join(', ')}`);
  }
}
