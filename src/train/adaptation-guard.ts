import { rename } from 'node:fs/promises';
import { isSaturated } from '../evaluate/calibrate-synthetic.js';
import { AutocmError } from '../util/errors.js';

/** The starting model's score on the same synthetic truth, taken before training. */
export interface AdaptationBaseline {
  model: string;
  f1: number;
}

/** An adapted model that collapsed (adaptationVerdict): its file was set aside. */
export class AdaptationRejected extends AutocmError {
  constructor(
    message: string,
    readonly rejectedModel: string,
  ) {
    super(message);
    this.name = 'AdaptationRejected';
  }
}

/**
 * Why the adapted model is refused, or null when it is kept. Refused: a model that collapsed to
 * the loss's "everything cloud" solution, i.e. whose calibration on the synthetic truth finds no
 * threshold or only the top of the sweep (p >= 1), where the model it started from had one.
 * Not refused for a lower F1 alone: the calibration truth is synthetic, and adapting to a stack
 * may lower it while the adapted model does better on that stack (Sentinel-2 scored on PlanetScope
 * truth: 0.911 -> 0.776, yet better on its own stack; docs/accuracy.md, "Adaptation measured").
 */
export function adaptationVerdict(baseline: AdaptationBaseline, adapted: { threshold: number; f1: number } | { skipped: string }): string | null {
  const start = `the model it started from (${baseline.model}) has F1 ${baseline.f1.toFixed(3)} there`;
  if ('skipped' in adapted) return `the adapted model no longer separates clouds on the synthetic calibration truth (${adapted.skipped}), where ${start}`;
  if (!isSaturated(adapted)) return null;
  return `the adapted model's cloud probability is saturated: its best threshold on the synthetic calibration truth is ${adapted.threshold} (F1 ${adapted.f1.toFixed(3)}, it calls nearly every pixel cloud), where ${start}`;
}

/** `<stem>.rejected.safetensors` beside the output, so that a refused model is neither used by mistake nor lost. */
export function rejectedPathFor(output: string): string {
  return output.replace(/(\.safetensors)?$/, '.rejected.safetensors');
}

/** Sets a refused model aside and throws; nothing else of the run (checkpoint, log, report) moves. */
export async function rejectAdaptedModel(output: string, reason: string): Promise<never> {
  const rejected = rejectedPathFor(output);
  await rename(output, rejected);
  throw new AdaptationRejected(
    `${reason}: training on this stack collapsed (the label-free loss has a solution that calls everything cloud, reached on small, nearly cloud-free stacks); the adapted model was set aside as ${rejected}, keep using the model it started from`,
    rejected,
  );
}
