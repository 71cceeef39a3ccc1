/** Median of the first `n` values; sorts them in place. */
export function medianInPlace(values: Float64Array, n: number): number {
  const sorted = values.subarray(0, n).sort();
  const h = n >> 1;
  return n % 2 ? sorted[h]! : (sorted[h - 1]! + sorted[h]!) / 2;
}

/**
 * The temporal-mad outlier test's centre and limit of the first `n` values: their median, and
 * max(k x 1.4826 x MAD, floor). Overwrites those values with their absolute deviations.
 */
export function robustCentreAndLimit(values: Float64Array, n: number, k: number, floor: number): { median: number; limit: number } {
  const median = medianInPlace(values, n);
  for (let j = 0; j < n; j++) values[j] = Math.abs(values[j]! - median);
  return { median, limit: Math.max(k * 1.4826 * medianInPlace(values, n), floor) };
}
