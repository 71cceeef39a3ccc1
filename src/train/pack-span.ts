/** Date arithmetic of packs: how many days K consecutive images span, and which pack starts fit. */

const DAY_MS = 86_400_000;

/** Default span rule: SPAN_FACTOR x (K-1) x the median gap between distinct dates, at least MIN_SPAN_DAYS. */
export const SPAN_FACTOR = 3;
export const MIN_SPAN_DAYS = 30;

/** Calendar day number (UTC) of each date: spans count whole days, whatever the acquisition time. */
export function dayNumbers(dates: Date[]): number[] {
  return dates.map((d) => Math.floor(d.getTime() / DAY_MS));
}

/** Gaps in days between consecutive distinct dates (same-day images add no gap). */
export function dateGaps(days: number[]): number[] {
  const gaps: number[] = [];
  for (let i = 1; i < days.length; i++) if (days[i]! > days[i - 1]!) gaps.push(days[i]! - days[i - 1]!);
  return gaps;
}

export function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * The default --max-span-days of one scene: a pack of K images at the sensor's usual revisit spans
 * (K-1) x the median gap; the factor lets a pack skip a few missing dates, the floor keeps short
 * packs of frequent revisits usable.
 */
export function defaultSpanDays(days: number[], k: number): number {
  const gap = median(dateGaps(days)) ?? 0;
  return Math.max(MIN_SPAN_DAYS, Math.ceil(SPAN_FACTOR * (k - 1) * gap));
}

/** The longest span (days) among the three packs [s, s+K), [s+K, s+2K), [s+2K, s+3K). */
export function startSpan(days: number[], k: number, start: number): number {
  let longest = 0;
  for (let p = 0; p < 3; p++) longest = Math.max(longest, days[start + p * k + k - 1]! - days[start + p * k]!);
  return longest;
}

/** Pack starts whose three packs each span at most `maxSpanDays` days. */
export function startsWithin(days: number[], k: number, maxSpanDays: number): number[] {
  const starts: number[] = [];
  for (let s = 0; s + 3 * k <= days.length; s++) if (startSpan(days, k, s) <= maxSpanDays) starts.push(s);
  return starts;
}

/** The smallest --max-span-days that leaves at least one start at this K (Infinity: too few images). */
export function smallestFittingSpan(days: number[], k: number): number {
  let best = Infinity;
  for (let s = 0; s + 3 * k <= days.length; s++) best = Math.min(best, startSpan(days, k, s));
  return best;
}

/** The largest gap between consecutive images, with the dates around it. */
export function largestGap(dates: Date[]): { days: number; from: Date; to: Date } | null {
  const days = dayNumbers(dates);
  let best: { days: number; from: Date; to: Date } | null = null;
  for (let i = 1; i < days.length; i++) {
    const gap = days[i]! - days[i - 1]!;
    if (!best || gap > best.days) best = { days: gap, from: dates[i - 1]!, to: dates[i]! };
  }
  return best;
}

export function isoDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}
