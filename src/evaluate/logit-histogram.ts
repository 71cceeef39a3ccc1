import { isPositive } from './confusion.js';
import { NODATA } from '../masks/mask-classes.js';

/**
 * Histograms of the cloud probability's logit, log(p / (1 - p)), for reference-cloud and
 * reference-not-cloud pixels. Calibration needs them because a label-free model's useful
 * thresholds sit at p of a few hundredths, where 0.01 steps of p are far too coarse.
 */
export const LOGIT_MIN = -16;
export const LOGIT_MAX = 16;
export const LOGIT_STEP = 0.02;
export const LOGIT_BINS = Math.round((LOGIT_MAX - LOGIT_MIN) / LOGIT_STEP) + 1;

export interface LogitHistogram {
  positives: Float64Array;
  negatives: Float64Array;
}

export const emptyLogitHistogram = (): LogitHistogram => ({ positives: new Float64Array(LOGIT_BINS), negatives: new Float64Array(LOGIT_BINS) });

export const logitOfBin = (bin: number) => LOGIT_MIN + bin * LOGIT_STEP;

export function logitBin(p: number): number {
  const z = Math.log(p / (1 - p));
  return Math.min(LOGIT_BINS - 1, Math.max(0, Math.round((z - LOGIT_MIN) / LOGIT_STEP)));
}

export function accumulateLogits(probability: Float32Array, reference: Uint8Array, into: LogitHistogram): void {
  for (let i = 0; i < reference.length; i++) {
    const p = probability[i]!;
    const r = reference[i]!;
    if (r === NODATA || Number.isNaN(p)) continue;
    const bin = logitBin(p);
    if (isPositive(r, 'cloud')) into.positives[bin]! += 1;
    else into.negatives[bin]! += 1;
  }
}

export interface OperatingPoint {
  precision: number | null;
  recall: number | null;
  f1: number | null;
}

/** Cloud F1 (with precision and recall) of "cloud when logit >= logitOfBin(bin)", for every bin. */
export function operatingPoints(h: LogitHistogram): OperatingPoint[] {
  const totalPositive = h.positives.reduce((a, b) => a + b, 0);
  const points: OperatingPoint[] = new Array(LOGIT_BINS);
  let tp = 0;
  let fp = 0;
  for (let bin = LOGIT_BINS - 1; bin >= 0; bin--) {
    tp += h.positives[bin]!;
    fp += h.negatives[bin]!;
    points[bin] = {
      precision: tp + fp > 0 ? tp / (tp + fp) : null,
      recall: totalPositive > 0 ? tp / totalPositive : null,
      f1: totalPositive > 0 ? (2 * tp) / (tp + fp + totalPositive) : null,
    };
  }
  return points;
}

/**
 * The bin whose threshold gives the best mean F1 over the given sets (each set counts once,
 * whatever its size); bin 0 (every pixel cloud) is never chosen. Sets without cloud are left out.
 */
export function bestMeanF1Bin(sets: OperatingPoint[][]): { bin: number; meanF1: number } {
  const scored = sets.filter((points) => points[0]?.f1 !== null);
  let best = { bin: 1, meanF1: -1 };
  for (let bin = 1; bin < LOGIT_BINS; bin++) {
    const mean = scored.reduce((s, points) => s + points[bin]!.f1!, 0) / scored.length;
    if (mean > best.meanF1) best = { bin, meanF1: mean };
  }
  return best;
}

/**
 * Slope a of p' = sigmoid(a (z - t)) with the largest mean log-likelihood over the sets (each set
 * weighted equally): Platt scaling with its offset fixed at the chosen threshold t, so that
 * p' = 0.5 exactly where the threshold was. Golden-section search over a in [0.05, 20].
 */
export function fitSlope(histograms: LogitHistogram[], threshold: number): number {
  const likelihood = (a: number) => {
    let total = 0;
    for (const h of histograms) {
      let sum = 0;
      let count = 0;
      for (let bin = 0; bin < LOGIT_BINS; bin++) {
        const pos = h.positives[bin]!;
        const neg = h.negatives[bin]!;
        if (pos === 0 && neg === 0) continue;
        const s = a * (logitOfBin(bin) - threshold);
        // log sigmoid(s) = -softplus(-s); log(1 - sigmoid(s)) = -softplus(s)
        sum -= pos * softplus(-s) + neg * softplus(s);
        count += pos + neg;
      }
      if (count > 0) total += sum / count;
    }
    return total;
  };
  let lo = Math.log(0.05);
  let hi = Math.log(20);
  const ratio = (Math.sqrt(5) - 1) / 2;
  for (let i = 0; i < 60; i++) {
    const a = hi - ratio * (hi - lo);
    const b = lo + ratio * (hi - lo);
    if (likelihood(Math.exp(a)) < likelihood(Math.exp(b))) lo = a;
    else hi = b;
  }
  return Math.exp((lo + hi) / 2);
}

const softplus = (x: number) => (x > 30 ? x : Math.log1p(Math.exp(x)));
