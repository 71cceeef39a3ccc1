import { AutocmError } from '../util/errors.js';
import { CLEAR, CLOUD, NODATA, SHADOW } from '../masks/mask-classes.js';
import { bandIndex, clamp01 } from './band-roles.js';
import type { BaselineScores } from './baseline-types.js';
import { RobustFitter } from './robust-fitter.js';
import { YEAR_DAYS, designRow, predict } from './tmask-model.js';

export interface TmaskOptions {
  /** Cloud: observed - predicted above this in the cloud band (0.04, the paper's value). */
  cloudDelta?: number;
  /** Shadow: observed - predicted below minus this in NIR and SWIR1 (0.04, the paper's value). */
  shadowDelta?: number;
  /** First screening: observations whose cloud band reaches this reflectance are left out of the fit (0.3). */
  screenBrightness?: number;
  /** Clear observations needed per model coefficient (2). */
  perCoefficient?: number;
  /** Clear observations (and a span of 2+ years) for the 5-coefficient model with the inter-annual term (15). */
  fullModelObservations?: number;
}

export interface TmaskBands {
  /** Index (in the bands given to tmaskScores) of the cloud-test band: green, else red, else the first. */
  cloud: number;
  /** NIR and SWIR1 indices where present (-1 when absent). */
  nir: number;
  swir1: number;
}

/** The bands Tmask reads: green (else red, else blue, else the first band), NIR, SWIR1. */
export function tmaskBandsOf(bandNames: string[]): { indices: number[]; roles: TmaskBands; cloudBandName: string } {
  const cloudBand = [bandIndex(bandNames, 'green'), bandIndex(bandNames, 'red'), bandIndex(bandNames, 'blue'), 0].find((i) => i >= 0)!;
  const nir = bandIndex(bandNames, 'nir');
  const swir1 = bandIndex(bandNames, 'swir1', 'swir16');
  const indices = [cloudBand, ...[nir, swir1].filter((i) => i >= 0)];
  return {
    indices,
    roles: { cloud: 0, nir: nir >= 0 ? 1 : -1, swir1: swir1 >= 0 ? (nir >= 0 ? 2 : 1) : -1 },
    cloudBandName: bandNames[cloudBand]!,
  };
}

export interface TmaskCounts {
  /** Pixels fitted with the 5-, 3-coefficient model; fell back to the robust mean (1 coefficient); no clear observation at all (the first screening's verdict stands). */
  fiveTerm: number;
  threeTerm: number;
  fallback: number;
  screenOnly: number;
}

export interface TmaskResult {
  scores: BaselineScores[];
  counts: TmaskCounts;
}

/**
 * Tmask (Zhu and Woodcock 2014) on a window of a stack: `dates[t][b]` is band b (in the order of
 * tmaskBandsOf's indices) of date t, `days[t]` its acquisition day. Per pixel: observations that
 * pass the first screening (valid, cloud band below `screenBrightness`) are fitted per band by the
 * robust harmonic model (5 terms with 15+ clear observations over 2+ years, else 3 terms with
 * 2 x 3 clear observations, else the robust mean: counted as fallback; with none, the screening's
 * cloud verdict stands); then every valid date is
 * tested: cloud where the cloud band is more than 0.04 above the model, shadow where NIR and SWIR1
 * are both more than 0.04 below it. Score = 0.5 x delta / cloudDelta, clipped (>= 0.5 where cloud).
 */
export function tmaskScores(dates: Float32Array[][], days: number[], roles: TmaskBands, file: string, options: TmaskOptions = {}): TmaskResult {
  const cloudDelta = options.cloudDelta ?? 0.04;
  const shadowDelta = options.shadowDelta ?? 0.04;
  const screen = options.screenBrightness ?? 0.3;
  const perCoefficient = options.perCoefficient ?? 2;
  const fullObs = options.fullModelObservations ?? 15;
  const T = dates.length;
  if (T < 3) throw new AutocmError(`the tmask baseline needs a stack of at least 3 dates, got ${T}`, file);
  const years = Math.max(1, Math.ceil((Math.max(...days) - Math.min(...days)) / YEAR_DAYS));
  const bandCount = dates[0]!.length;
  const n = dates[0]![0]!.length;
  const scores = dates.map(() => ({ probability: new Float32Array(n).fill(Number.NaN), classes: new Uint8Array(n).fill(NODATA) }));
  const counts: TmaskCounts = { fiveTerm: 0, threeTerm: 0, fallback: 0, screenOnly: 0 };
  const rows = new Float64Array(T * 5);
  for (let t = 0; t < T; t++) designRow(days[t]!, 5, years, rows.subarray(t * 5, t * 5 + 5));
  const fitter = new RobustFitter(T);
  const clear = new Int32Array(T);
  const y = new Float64Array(T);
  const beta = new Float64Array(5);
  const predicted = Array.from({ length: bandCount }, () => new Float64Array(T));
  for (let i = 0; i < n; i++) {
    let nClear = 0;
    let validCount = 0;
    for (let t = 0; t < T; t++) {
      if (!allValid(dates[t]!, i)) continue;
      validCount++;
      if (dates[t]![roles.cloud]![i]! < screen) clear[nClear++] = t;
    }
    if (validCount === 0) continue;
    let m = nClear >= fullObs && years >= 2 ? 5 : nClear >= perCoefficient * 3 ? 3 : 1;
    if (nClear === 0) {
      // Every valid date failed the screen: no model; the screening's cloud verdict stands.
      counts.screenOnly++;
      for (let t = 0; t < T; t++) {
        if (!allValid(dates[t]!, i)) continue;
        scores[t]!.probability[i] = 1;
        scores[t]!.classes[i] = CLOUD;
      }
      continue;
    }
    let fitted = false;
    while (!fitted) {
      fitted = true;
      for (let b = 0; b < bandCount; b++) {
        for (let j = 0; j < nClear; j++) y[j] = dates[clear[j]!]![b]![i]!;
        if (!fitter.fit(rows, 5, clear, y, nClear, m, beta)) {
          fitted = false;
          break;
        }
        for (let t = 0; t < T; t++) predicted[b]![t] = predict(beta, rows, m, t * 5);
      }
      if (!fitted) {
        if (m === 1) break;
        m = m === 5 ? 3 : 1;
      }
    }
    if (!fitted) continue; // unreachable in practice: the 1-term system is singular only without observations
    if (m === 5) counts.fiveTerm++;
    else if (m === 3) counts.threeTerm++;
    else counts.fallback++;
    for (let t = 0; t < T; t++) {
      const cloudObs = dates[t]![roles.cloud]![i]!;
      if (Number.isNaN(cloudObs) || !allValid(dates[t]!, i)) continue;
      const delta = cloudObs - predicted[roles.cloud]![t]!;
      const out = scores[t]!;
      out.probability[i] = clamp01((0.5 * delta) / cloudDelta);
      if (delta > cloudDelta) out.classes[i] = CLOUD;
      else if (roles.nir >= 0 && belowModel(dates[t]!, predicted, roles.nir, t, i, shadowDelta) && belowModel(dates[t]!, predicted, roles.swir1, t, i, shadowDelta)) out.classes[i] = SHADOW;
      else out.classes[i] = CLEAR;
    }
  }
  return { scores, counts };
}

/** Whether band b (absent: -1, which counts as below) of date t is more than `delta` below its model at pixel i. */
function belowModel(bands: Float32Array[], predicted: Float64Array[], b: number, t: number, i: number, delta: number): boolean {
  return b < 0 || bands[b]![i]! - predicted[b]![t]! < -delta;
}

/** Whether every band of one date is valid (not NaN) at pixel i. */
function allValid(bands: Float32Array[], i: number): boolean {
  for (const band of bands) if (Number.isNaN(band[i]!)) return false;
  return true;
}
