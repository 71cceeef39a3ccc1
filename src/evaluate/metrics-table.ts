import { basename } from 'node:path';
import type { ScorePair } from './evaluate-pair.js';
import type { EvaluationSummary } from './evaluate-all.js';
import { METRIC_NAMES, type MetricName, type Metrics } from './metrics.js';

export const METRIC_LABELS: Record<MetricName, string> = {
  precision: 'precision',
  recall: 'recall',
  f1: 'F1',
  iou: 'IoU',
  overallAccuracy: 'OA',
  balancedAccuracy: 'BA',
};

/** A metric as a table cell: 4 decimals, or "n/a (reason)" when undefined. */
export function formatMetric(m: Metrics, name: MetricName): string {
  const v = m[name];
  return v === null ? `n/a (${m.undefinedReasons[name] ?? 'undefined'})` : v.toFixed(4);
}

export interface TableRow {
  image: string;
  scope: string;
  metrics: Metrics;
}

/** Rows of the summary table: per image and pooled, cloud, cloud+shadow and shadow, strict and tolerant. */
export function tableRows(summary: EvaluationSummary): TableRow[] {
  const rows: TableRow[] = [];
  const add = (image: string, classLabel: string, scores: ScorePair | { skipped: string }) => {
    if ('skipped' in scores) return;
    rows.push({ image, scope: `${classLabel} strict`, metrics: scores.strict });
    if (scores.tolerant) rows.push({ image, scope: `${classLabel} tol ${summary.tolerance}px`, metrics: scores.tolerant });
  };
  for (const e of summary.images) {
    add(basename(e.prediction), 'cloud', e.cloud);
    add(basename(e.prediction), 'cloud+shadow', e.cloudShadow);
    add(basename(e.prediction), 'shadow', e.shadow);
  }
  add('POOLED', 'cloud', summary.pooled.cloud);
  add('POOLED', 'cloud+shadow', summary.pooled.cloudShadow);
  add('POOLED', 'shadow', summary.pooled.shadow);
  return rows;
}

export function formatTable(summary: EvaluationSummary): string {
  const header = ['image', 'scope', 'pixels', ...METRIC_NAMES.map((n) => METRIC_LABELS[n])];
  const body = tableRows(summary).map((r) => [r.image, r.scope, String(r.metrics.pixels), ...METRIC_NAMES.map((n) => formatMetric(r.metrics, n))]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  const lines = [line(header), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)];
  const skipped = summary.pooled.cloudShadow;
  if ('skipped' in skipped) lines.push(`cloud+shadow and shadow: not scored (${skipped.skipped})`);
  const sweep = summary.pooled.sweep;
  if (sweep) {
    lines.push(
      sweep.best
        ? `threshold sweep (pooled): best F1 ${sweep.best.f1.toFixed(4)} at threshold ${sweep.best.threshold.toFixed(2)}`
        : `threshold sweep (pooled): n/a (${sweep.undefinedReason})`,
    );
  }
  return lines.join('\n');
}
