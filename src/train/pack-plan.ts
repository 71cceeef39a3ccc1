import { AutocmError } from '../util/errors.js';
import { MIN_SPAN_DAYS, SPAN_FACTOR, dateGaps, dayNumbers, defaultSpanDays, isoDay, largestGap, median, smallestFittingSpan, startsWithin } from './pack-span.js';
import { MIN_K, checkPackSize } from './packs.js';
import type { TrainingScene } from './scene.js';

export interface PackOptions {
  /** Longest span of one pack in days; undefined: the default rule (pack-span.ts); null: packs by image index. */
  maxSpanDays?: number | null;
  /** Undated images fall back to packs by index instead of being refused. */
  allowUndated?: boolean;
}

export interface PackPlan {
  /** The span limit in force (days); null when packs go by image index. */
  maxSpanDays: number | null;
  /** How the limit was chosen, for the summary. */
  spanNote: string;
  /** Valid pack starts (first image of P1) per scene, in scene order. */
  starts: number[][];
  /** All valid starts over all scenes: one epoch. */
  startsPerEpoch: number;
}

/**
 * Which pack starts training may draw. With dates (the rule), a start is valid when each of its
 * three packs of K consecutive images spans at most `maxSpanDays` days; a scene without any valid
 * start is an error that says what would fit. Without dates (only with allowUndated) every start
 * of three packs is valid.
 */
export function planPacks(scenes: TrainingScene[], k: number, options: PackOptions, warn: (message: string) => void): PackPlan {
  checkPackSize(scenes, k, warn);
  const { maxSpanDays, allowUndated } = options;
  if (maxSpanDays !== undefined && maxSpanDays !== null && !(maxSpanDays >= 0)) throw new AutocmError(`--max-span-days ${maxSpanDays} must be a number of days, 0 or more`);
  const undated = scenes.flatMap((s) => s.imageNames.filter((_, i) => s.dates[i] === null));
  if (undated.length > 0 || maxSpanDays === null) {
    if (undated.length > 0 && typeof maxSpanDays === 'number') throw new AutocmError(`has no acquisition date, so --max-span-days ${maxSpanDays} cannot be checked`, undated[0]);
    if (undated.length > 0 && !allowUndated && maxSpanDays !== null) {
      throw new AutocmError(
        `has no acquisition date${undated.length > 1 ? ` (nor ${undated.length - 1} other images)` : ''}: training packs are limited in time (--max-span-days). ` +
          'Give dated images (date in the file name or metadata), or --allow-undated to pack images by their order alone',
        undated[0],
      );
    }
    if (undated.length > 0) warn(`${undated.length} images have no date: packs are K consecutive images in input order, whatever time they span`);
    const starts = scenes.map((s) => Array.from({ length: s.imageCount - 3 * k + 1 }, (_, i) => i));
    return { maxSpanDays: null, spanNote: 'packs by image order (undated images)', starts, startsPerEpoch: count(starts) };
  }

  const days = scenes.map((s) => dayNumbers(s.dates as Date[]));
  days.forEach((d, i) => {
    const back = d.findIndex((day, j) => j > 0 && day < d[j - 1]!);
    if (back > 0) throw new AutocmError(`images are not in time order: ${scenes[i]!.imageNames[back]} is dated before ${scenes[i]!.imageNames[back - 1]}`, scenes[i]!.name);
  });
  const spanFor = (kk: number) => maxSpanDays ?? Math.max(...days.map((d) => defaultSpanDays(d, kk)));
  const span = spanFor(k);
  const starts = days.map((d, i) => {
    const valid = startsWithin(d, k, span);
    if (valid.length === 0) throw noFitError(scenes[i]!, d, k, span, spanFor);
    return valid;
  });
  return { maxSpanDays: span, spanNote: maxSpanDays !== undefined ? '--max-span-days' : defaultNote(scenes, days, k, span), starts, startsPerEpoch: count(starts) };
}

function count(starts: number[][]): number {
  return starts.reduce((n, s) => n + s.length, 0);
}

function defaultNote(scenes: TrainingScene[], days: number[][], k: number, span: number): string {
  const from = days.findIndex((d) => defaultSpanDays(d, k) === span);
  const gap = median(dateGaps(days[from]!)) ?? 0;
  const rule = `default: ${SPAN_FACTOR} x (K-1) x median gap, at least ${MIN_SPAN_DAYS} days`;
  return `${rule}; median gap ${gap} days${scenes.length > 1 ? ` (${scenes[from]!.name})` : ''}`;
}

function noFitError(scene: TrainingScene, days: number[], k: number, span: number, spanFor: (k: number) => number): AutocmError {
  const dates = scene.dates as Date[];
  const gap = largestGap(dates);
  let fittingK = 0;
  for (let kk = k - 1; kk >= MIN_K && fittingK === 0; kk--) if (startsWithin(days, kk, spanFor(kk)).length > 0) fittingK = kk;
  return new AutocmError(
    `no three packs of K=${k} consecutive images each span at most ${span} days: its ${dates.length} images run from ${isoDay(dates[0]!)} to ${isoDay(dates[dates.length - 1]!)}` +
      (gap ? `, the largest gap is ${gap.days} days (${isoDay(gap.from)} to ${isoDay(gap.to)})` : '') +
      `. Use --max-span-days ${smallestFittingSpan(days, k)}` +
      (fittingK > 0 ? ` or --k ${fittingK}` : ''),
    scene.name,
  );
}
