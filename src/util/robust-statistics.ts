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

/**
 * The same value as medianInPlace, found by selection (Hoare's quickselect) instead of a full
 * sort: the per-pixel robust fits take a median of every iteration's residuals, where the sort
 * was a fifth of their time. Reorders the first `n` values. With a NaN among them (where a
 * comparison-based selection is undefined) it sorts, as medianInPlace does.
 */
export function medianBySelection(values: Float64Array, n: number): number {
  if (n === 0) return Number.NaN;
  for (let i = 0; i < n; i++) if (Number.isNaN(values[i]!)) return medianInPlace(values, n);
  const h = n >> 1;
  const upper = selectInPlace(values, n, h);
  if (n % 2) return upper;
  // After the selection every value left of h is <= values[h]: the largest of them is the (h-1)th.
  let lower = values[0]!;
  for (let i = 1; i < h; i++) if (values[i]! > lower) lower = values[i]!;
  return (lower + upper) / 2;
}

/** The k-th smallest of the first `n` values (0-based, no NaN); leaves smaller ones left of k, larger ones right. */
export function selectInPlace(values: Float64Array | Float32Array, n: number, k: number): number {
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) {
    const pivot = medianOfThree(values[lo]!, values[(lo + hi) >> 1]!, values[hi]!);
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (values[i]! < pivot) i++;
      while (values[j]! > pivot) j--;
      if (i <= j) {
        const swap = values[i]!;
        values[i] = values[j]!;
        values[j] = swap;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else break;
  }
  return values[k]!;
}

function medianOfThree(a: number, b: number, c: number): number {
  if (a < b) return b < c ? b : a < c ? c : a;
  return a < c ? a : b < c ? c : b;
}
