import { robustCentreAndLimit } from '../../util/robust-statistics.js';

/**
 * The robust temporal outlier test of `predict --stack` (the `temporal-mad` baseline's test, on the
 * same band): per pixel, the median and MAD over every valid date of the cloud-sensitive band;
 * a date's outlier ratio is (b_t - median) / max(k x 1.4826 x MAD, floor), so >= 1 exactly where
 * temporal-mad calls it cloud. NaN where the date is nodata or the pixel has fewer than 3 valid dates.
 */
export interface OutlierOptions {
  k: number;
  floor: number;
}

const MIN_DATES = 3;

/** Outlier ratio of every date of a strip; `valid[t][i]` false leaves the date out (NaN). */
export function outlierRatios(band: Float32Array[], valid: (t: number, i: number) => boolean, options: OutlierOptions): Float32Array[] {
  const T = band.length;
  const n = band[0]?.length ?? 0;
  const out = band.map(() => new Float32Array(n).fill(Number.NaN));
  const values = new Float64Array(T);
  const used = new Int32Array(T);
  for (let i = 0; i < n; i++) {
    let m = 0;
    for (let t = 0; t < T; t++) {
      const b = band[t]![i]!;
      if (Number.isNaN(b) || !valid(t, i)) continue;
      used[m] = t;
      values[m++] = b;
    }
    if (m < MIN_DATES) continue;
    const { median, limit } = robustCentreAndLimit(values, m, options.k, options.floor);
    for (let j = 0; j < m; j++) out[used[j]!]![i] = (band[used[j]!]![i]! - median) / limit;
  }
  return out;
}

/** Pixel counts over a stack: network cloud (z >= 0), outlier (ratio >= 1), both. */
export interface AgreementCounts {
  network: number;
  outlier: number;
  both: number;
}

export const noAgreementCounts = (): AgreementCounts => ({ network: 0, outlier: 0, both: 0 });

export function addAgreement(counts: AgreementCounts, z: Float32Array, outlier: Float32Array): void {
  for (let i = 0; i < z.length; i++) {
    const r = outlier[i]!;
    if (Number.isNaN(z[i]!) || Number.isNaN(r)) continue;
    const network = z[i]! >= 0;
    const temporal = r >= 1;
    if (network) counts.network++;
    if (temporal) counts.outlier++;
    if (network && temporal) counts.both++;
  }
}

/** Dice overlap of the network's and the outlier test's cloud over the stack (0 when neither flags). */
export const agreementOf = (c: AgreementCounts) => (c.network + c.outlier > 0 ? (2 * c.both) / (c.network + c.outlier) : 0);
