import { writeFileAtomically } from '../util/atomic.js';
import type { DemoConfig } from './config.js';

export interface MethodScore {
  method: string;
  f1: number | null;
  precision: number | null;
  recall: number | null;
  iou: number | null;
  overallAccuracy: number | null;
  /** Shadow class scores (null where the method has no shadow class or the truth no shadow). */
  shadowF1?: number | null;
  shadowPrecision?: number | null;
  shadowRecall?: number | null;
  /** Cloud and shadow pooled as one class. */
  cloudShadowF1?: number | null;
  /** HTML report of this method, when one was written. */
  report: string | null;
}

export interface DemoSummary {
  directory: string;
  config: DemoConfig;
  stack: string;
  model: string;
  /** The model's threshold, chosen on the truth of a separate synthetic stack (`stack`: the command that makes it). */
  threshold: { value: number; calibrated: boolean; calibrationF1: number | null; calibrationF1AtHalf: number | null; stack: string };
  predictions: string;
  /** The masks of `predict --stack` (each date also judged against the other dates). */
  stackPredictions: string;
  composite: string;
  /** RMS reflectance difference between the Auto-CM composite and the composite made with the truth masks. */
  compositeRmseVsTruth: number | null;
  report: string | null;
  scores: MethodScore[];
  truth: { dates: number; meanCloudFraction: number; meanShadowFraction: number };
  seconds: Record<string, number>;
}

export async function writeDemoSummary(path: string, summary: DemoSummary): Promise<void> {
  await writeFileAtomically(path, `${JSON.stringify(summary, null, 2)}\n`);
}

const cell = (value: number | null) => (value === null ? 'n/a' : value.toFixed(3));

/** The table the demo ends with: cloud, shadow and cloud+shadow scores of every method against the truth, best cloud F1 first. */
export function formatDemoSummary(summary: DemoSummary): string {
  const rows = [...summary.scores].sort((a, b) => (b.f1 ?? -1) - (a.f1 ?? -1));
  const header = ['method', 'F1', 'precision', 'recall', 'IoU', 'OA', 'shadow F1', 'shadow P', 'shadow R', 'cloud+shadow F1'];
  const body = rows.map((r) => [
    r.method,
    cell(r.f1),
    cell(r.precision),
    cell(r.recall),
    cell(r.iou),
    cell(r.overallAccuracy),
    cell(r.shadowF1 ?? null),
    cell(r.shadowPrecision ?? null),
    cell(r.shadowRecall ?? null),
    cell(r.cloudShadowF1 ?? null),
  ]);
  const widths = header.map((h, c) => Math.max(h.length, ...body.map((row) => row[c].length)));
  const line = (row: string[]) => row.map((v, c) => (c === 0 ? v.padEnd(widths[c]) : v.padStart(widths[c]))).join('  ');
  return [
    `Cloud and shadow masks scored against the synthetic truth (${summary.truth.dates} dates, mean cloud ${(100 * summary.truth.meanCloudFraction).toFixed(1)} %, mean shadow ${(100 * summary.truth.meanShadowFraction).toFixed(1)} %, pooled over all pixels; n/a: no shadow class):`,
    '',
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...body.map(line),
    '',
    summary.threshold.calibrated
      ? `Auto-CM threshold ${summary.threshold.value.toFixed(2)}, calibrated on a separate synthetic stack (${summary.threshold.stack})`
      : `Auto-CM threshold ${summary.threshold.value.toFixed(2)}: the model did not separate clouds on the calibration stack (${summary.threshold.stack})`,
    `composite (Auto-CM masks) vs composite (truth masks): RMS difference ${summary.compositeRmseVsTruth === null ? 'n/a' : summary.compositeRmseVsTruth.toFixed(4)} reflectance`,
    `time: ${Object.entries(summary.seconds).map(([k, v]) => `${k} ${v} s`).join(', ')}`,
    `everything is in ${summary.directory} (summary.json, stack/, model/, predictions/, composite/, report/)`,
    `HTML report: ${summary.report ?? 'not written'}`,
  ].join('\n');
}
