import { NODATA } from '../masks/mask-classes.js';
import { isPositive, type PositiveClass } from './confusion.js';

/** Thresholds k/100 for k = 0..100: a pixel is predicted positive when p >= k/100. */
export const SWEEP_STEPS = 100;

/** Probability histograms of reference-positive and reference-negative pixels, in 101 bins. */
export interface SweepHistogram {
  positives: Float64Array;
  negatives: Float64Array;
}

export const emptySweep = (): SweepHistogram => ({
  positives: new Float64Array(SWEEP_STEPS + 1),
  negatives: new Float64Array(SWEEP_STEPS + 1),
});

export function addSweep(into: SweepHistogram, other: SweepHistogram): SweepHistogram {
  for (let k = 0; k <= SWEEP_STEPS; k++) {
    into.positives[k]! += other.positives[k]!;
    into.negatives[k]! += other.negatives[k]!;
  }
  return into;
}

export function accumulateSweep(
  probability: Float32Array,
  ref: Uint8Array,
  positive: PositiveClass,
  into: SweepHistogram,
): SweepHistogram {
  for (let i = 0; i < ref.length; i++) {
    const p = probability[i]!;
    const r = ref[i]!;
    if (r === NODATA || Number.isNaN(p)) continue;
    // The epsilon keeps 0.29 (= 29/100 in float) in bin 29.
    const bin = Math.min(SWEEP_STEPS, Math.max(0, Math.floor(p * SWEEP_STEPS + 1e-4)));
    if (isPositive(r, positive)) into.positives[bin]! += 1;
    else into.negatives[bin]! += 1;
  }
  return into;
}

export interface SweepPoint {
  threshold: number;
  precision: number | null;
  recall: number | null;
  f1: number | null;
}

export interface SweepResult {
  points: SweepPoint[];
  /** Threshold of the highest F1, or null when the reference has no positive. */
  best: { threshold: number; f1: number; precision: number | null; recall: number } | null;
  undefinedReason?: string;
}

/** PR curve points for every threshold, and the threshold with the best F1 (lowest on ties). */
export function sweepResult(h: SweepHistogram): SweepResult {
  const points: SweepPoint[] = [];
  const totalPositive = h.positives.reduce((a, b) => a + b, 0);
  let tp = 0;
  let fp = 0;
  const tpAt = new Float64Array(SWEEP_STEPS + 2);
  const fpAt = new Float64Array(SWEEP_STEPS + 2);
  for (let k = SWEEP_STEPS; k >= 0; k--) {
    tp += h.positives[k]!;
    fp += h.negatives[k]!;
    tpAt[k] = tp;
    fpAt[k] = fp;
  }
  let best: SweepResult['best'] = null;
  for (let k = 0; k <= SWEEP_STEPS; k++) {
    const t = tpAt[k]!;
    const f = fpAt[k]!;
    const fn = totalPositive - t;
    const precision = t + f > 0 ? t / (t + f) : null;
    const recall = totalPositive > 0 ? t / totalPositive : null;
    const f1 = totalPositive > 0 ? (2 * t) / (2 * t + f + fn) : null;
    const threshold = k / SWEEP_STEPS;
    points.push({ threshold, precision, recall, f1 });
    if (f1 !== null && recall !== null && (best === null || f1 > best.f1)) best = { threshold, f1, precision, recall };
  }
  return totalPositive > 0 ? { points, best } : { points, best, undefinedReason: 'no cloud in reference' };
}
