import { AutocmError } from '../util/errors.js';
import { CLEAR, CLOUD, NODATA, SHADOW } from '../masks/mask-classes.js';
import { bandIndex, clamp01, cloudSensitiveBand } from './band-roles.js';
import type { BaselineScores } from './baseline-types.js';
import { robustCentreAndLimit } from '../util/robust-statistics.js';

export interface TemporalMadOptions {
  /** Robust z threshold: departures beyond k * 1.4826 * MAD from the temporal median (default 3). */
  k?: number;
  /** Smallest departure (reflectance) that counts, so a very stable pixel does not flag noise (default 0.04). */
  minDeparture?: number;
  /** Fewest valid dates a pixel needs to be tested; fewer -> nodata (default 3). */
  minDates?: number;
}

/**
 * The `temporal-mad` baseline (until issue 16 shipped under the name tmask; it is not Tmask):
 * a multi-temporal outlier test. Per pixel, the temporal median and MAD of
 * the cloud-sensitive band (blue, else green, else red) over the valid dates; a date is cloud
 * where it exceeds the median by max(k * 1.4826 * MAD, minDeparture). Shadow where NIR falls
 * below its temporal median by the same rule (and the date is not cloud). Score =
 * 0.5 * departure / threshold, clipped to [0, 1] (>= 0.5 exactly where cloud).
 * `dates[t][b]` is band b of date t over the same pixels (NaN = nodata).
 */
export function temporalMadScores(dates: Float32Array[][], bandNames: string[], file: string, options: TemporalMadOptions = {}): BaselineScores[] {
  const k = options.k ?? 3;
  const minDeparture = options.minDeparture ?? 0.04;
  const minDates = options.minDates ?? 3;
  if (dates.length < minDates) throw new AutocmError(`the temporal-mad baseline needs a stack of at least ${minDates} dates, got ${dates.length}`, file);
  const vis = cloudSensitiveBand(bandNames);
  const nir = bandIndex(bandNames, 'nir');
  const n = dates[0]![0]!.length;
  const out = dates.map(() => ({ probability: new Float32Array(n).fill(Number.NaN), classes: new Uint8Array(n).fill(NODATA) }));
  const valid = dates.map((bands) => {
    const v = new Uint8Array(n);
    for (let i = 0; i < n; i++) v[i] = bands.every((b) => !Number.isNaN(b[i]!)) ? 1 : 0;
    return v;
  });
  const buffer = new Float64Array(dates.length);
  const robust = (band: number, i: number): { med: number; limit: number } | null => {
    let m = 0;
    for (let t = 0; t < dates.length; t++) if (valid[t]![i]) buffer[m++] = dates[t]![band]![i]!;
    if (m < minDates) return null;
    const { median, limit } = robustCentreAndLimit(buffer, m, k, minDeparture);
    return { med: median, limit };
  };
  for (let i = 0; i < n; i++) {
    const v = robust(vis, i);
    if (!v) continue;
    const s = nir >= 0 ? robust(nir, i) : null;
    for (let t = 0; t < dates.length; t++) {
      if (!valid[t]![i]) continue;
      const departure = dates[t]![vis]![i]! - v.med;
      out[t]!.probability[i] = clamp01((0.5 * departure) / v.limit);
      if (departure >= v.limit) out[t]!.classes[i] = CLOUD;
      else if (s && s.med - dates[t]![nir]![i]! >= s.limit) out[t]!.classes[i] = SHADOW;
      else out[t]!.classes[i] = CLEAR;
    }
  }
  return out;
}
