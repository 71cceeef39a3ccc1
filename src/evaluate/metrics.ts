import type { Confusion } from './confusion.js';

export const METRIC_NAMES = ['precision', 'recall', 'f1', 'iou', 'overallAccuracy', 'balancedAccuracy'] as const;
export type MetricName = (typeof METRIC_NAMES)[number];

/**
 * Scores of one confusion table. A metric that is undefined for the data is null, and
 * `undefinedReasons` says why (e.g. "no cloud in reference"): never 0 or NaN unexplained.
 */
export type Metrics = Record<MetricName, number | null> & {
  pixels: number;
  confusion: Confusion;
  undefinedReasons: Partial<Record<MetricName, string>>;
};

export function metricsFromConfusion(confusion: Confusion, positiveLabel = 'cloud'): Metrics {
  const { tp, fp, fn, tn } = confusion;
  const pixels = tp + fp + fn + tn;
  const reasons: Partial<Record<MetricName, string>> = {};
  const ratio = (num: number, den: number, name: MetricName, reason: string): number | null => {
    if (den > 0) return num / den;
    reasons[name] = reason;
    return null;
  };
  const noPixels = 'no valid pixels';
  const noRefPositive = pixels === 0 ? noPixels : `no ${positiveLabel} in reference`;
  const noRefNegative = pixels === 0 ? noPixels : 'no clear pixels in reference';
  const precision = ratio(tp, tp + fp, 'precision', pixels === 0 ? noPixels : `no ${positiveLabel} predicted`);
  const recall = ratio(tp, tp + fn, 'recall', noRefPositive);
  // F1 and IoU follow recall: with no positive in the reference they have no meaning.
  const refHasPositive = tp + fn > 0;
  const f1 = refHasPositive ? (2 * tp) / (2 * tp + fp + fn) : null;
  const iou = refHasPositive ? tp / (tp + fp + fn) : null;
  if (!refHasPositive) reasons.f1 = reasons.iou = noRefPositive;
  const overallAccuracy = ratio(tp + tn, pixels, 'overallAccuracy', noPixels);
  let balancedAccuracy: number | null = null;
  if (tp + fn > 0 && tn + fp > 0) balancedAccuracy = (tp / (tp + fn) + tn / (tn + fp)) / 2;
  else reasons.balancedAccuracy = tp + fn === 0 ? noRefPositive : noRefNegative;
  return { precision, recall, f1, iou, overallAccuracy, balancedAccuracy, pixels, confusion: { ...confusion }, undefinedReasons: reasons };
}
