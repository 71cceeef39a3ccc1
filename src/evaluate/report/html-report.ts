import { rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { fileStem } from '../../masks/file-keys.js';
import { writeFileAtomically } from '../../util/atomic.js';
import type { InputGuard } from '../../util/input-guard.js';
import type { EvaluationSummary } from '../evaluate-all.js';
import type { PairOutcome } from '../evaluate-pair.js';
import { formatMetric, METRIC_LABELS, tableRows, type TableRow } from '../metrics-table.js';
import { METRIC_NAMES } from '../metrics.js';
import { CLASS_COLOURS, classesToRgba, cssColour, encodePng, ERROR_COLOURS, errorMapRgba } from './png.js';
import { prCurveSvg } from './pr-curve-svg.js';
import { readQuicklook } from './quicklook.js';

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

interface ImagePictures {
  quicklook: string | null;
  prediction: string;
  reference: string;
  errors: string;
  width: number;
  height: number;
  falsePositives: number;
  falseNegatives: number;
}

/**
 * Writes the HTML evaluation report: PNGs per image as the evaluation goes (`addPair`), then
 * index.html with the metrics tables, the pictures and the PR curves (`finish`). Every file
 * is written atomically; index.html last, so a report with an index is complete.
 */
export class HtmlReportWriter {
  private readonly pictures: ImagePictures[] = [];
  private readonly written: string[] = [];

  constructor(
    readonly dir: string,
    /** Finds the image (for the RGB quicklook) of a prediction/reference pair, or null. */
    private readonly findImage: (prediction: string, reference: string) => string | null,
    private readonly bandNamesOf: (image: string) => Promise<string[]> = async () => [],
    /** Refuses a report file that is an input of the evaluation. */
    private readonly guard?: InputGuard,
  ) {}

  async addPair(outcome: PairOutcome, index: number): Promise<void> {
    const pics = outcome.pictures;
    if (!pics) throw new Error('evaluation ran without pictures');
    const prefix = `${String(index + 1).padStart(3, '0')}_${fileStem(outcome.evaluation.prediction)}`;
    const write = async (name: string, rgba: Uint8Array) => {
      const file = `${prefix}_${name}.png`;
      await this.guard?.check([join(this.dir, file)]);
      await writeFileAtomically(join(this.dir, file), encodePng(pics.ref.width, pics.ref.height, rgba));
      this.written.push(join(this.dir, file));
      return file;
    };
    const image = this.findImage(outcome.evaluation.prediction, outcome.evaluation.reference);
    let quicklook: string | null = null;
    if (image) {
      const q = await readQuicklook(image, pics.ref.step, await this.bandNamesOf(image));
      quicklook = await write('quicklook', q.rgba);
    }
    const errors = errorMapRgba(pics.pred.data, pics.ref.data);
    this.pictures[index] = {
      quicklook,
      prediction: await write('prediction', classesToRgba(pics.pred.data)),
      reference: await write('reference', classesToRgba(pics.ref.data)),
      errors: await write('errors', errors.rgba),
      width: pics.ref.width,
      height: pics.ref.height,
      falsePositives: errors.falsePositives,
      falseNegatives: errors.falseNegatives,
    };
  }

  /** Removes the pictures written so far (the evaluation failed: no partial report is left). */
  async abort(): Promise<void> {
    await Promise.allSettled(this.written.map((f) => rm(f, { force: true })));
  }

  async finish(summary: EvaluationSummary): Promise<string> {
    const path = join(this.dir, 'index.html');
    await this.guard?.check([path]);
    await writeFileAtomically(path, this.html(summary));
    return path;
  }

  private html(summary: EvaluationSummary): string {
    const rows = tableRows(summary);
    const pooledSweep = summary.pooled.sweep;
    const sections = summary.images.map((e, i) => {
      const pics = this.pictures[i];
      const own = rows.filter((r) => r.image === basename(e.prediction));
      const figure = (file: string | null, caption: string) =>
        file ? `<figure><img src="${escapeHtml(file)}" width="${pics!.width}" height="${pics!.height}" alt="${escapeHtml(caption)}"><figcaption>${escapeHtml(caption)}</figcaption></figure>` : '';
      const skipped = 'skipped' in e.cloudShadow ? `<p class="note">cloud+shadow not scored: ${escapeHtml(e.cloudShadow.skipped)}</p>` : '';
      return [
        `<section class="image"><h2>${escapeHtml(basename(e.prediction))} vs ${escapeHtml(basename(e.reference))}</h2>`,
        `<p>${e.width} x ${e.height} px, prediction format ${escapeHtml(e.predFormat)}, reference format ${escapeHtml(e.refFormat)}${e.aligned ? ', prediction resampled onto the reference grid' : ''}</p>`,
        metricsTable(own),
        skipped,
        pics
          ? `<div class="pictures">${figure(pics.quicklook, 'RGB quicklook')}${figure(pics.prediction, 'prediction')}${figure(pics.reference, 'reference')}${figure(pics.errors, `errors: ${pics.falsePositives} false positives, ${pics.falseNegatives} false negatives (sampled pixels)`)}</div>`
          : '',
        e.sweep
          ? e.sweep.best
            ? prCurveSvg(e.sweep, `PR curve ${basename(e.prediction)}`)
            : `<p class="note">PR curve: n/a (${escapeHtml(e.sweep.undefinedReason ?? 'undefined')})</p>`
          : '',
        '</section>',
      ].join('\n');
    });
    const legend = (entries: [string, string][]) =>
      `<ul class="legend">${entries.map(([c, l]) => `<li><span style="background:${c}"></span>${escapeHtml(l)}</li>`).join('')}</ul>`;
    return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>autocm evaluation</title>
<style>
body{font-family:system-ui,sans-serif;margin:1.5em;color:#222}
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:2px 8px;text-align:right}
td:first-child,td:nth-child(2),th{text-align:left}
.pictures{display:flex;flex-wrap:wrap;gap:12px}figure{margin:0}
figure img{image-rendering:pixelated;min-width:200px;height:auto;background:repeating-conic-gradient(#ddd 0 25%,#fff 0 50%) 0 0/16px 16px;border:1px solid #999}
.legend{list-style:none;padding:0;display:flex;gap:16px}.legend span{display:inline-block;width:14px;height:14px;border:1px solid #777;margin-right:4px;vertical-align:middle}
.note{color:#666}
</style></head><body>
<h1>autocm evaluation</h1>
<p>${summary.images.length} image pair(s); tolerance ${summary.tolerance} px at reference cloud edges; nodata on either side excluded. Undefined metrics are shown as n/a with the reason.</p>
<h2>Pooled</h2>
${metricsTable(rows.filter((r) => r.image === 'POOLED'))}
${'skipped' in summary.pooled.cloudShadow ? `<p class="note">cloud+shadow and shadow not scored: ${escapeHtml(summary.pooled.cloudShadow.skipped)}</p>` : ''}
${pooledSweep ? `<p>Threshold sweep: ${pooledSweep.best ? `best F1 ${pooledSweep.best.f1.toFixed(4)} at threshold ${pooledSweep.best.threshold.toFixed(2)}` : `n/a (${escapeHtml(pooledSweep.undefinedReason ?? '')})`}</p>${prCurveSvg(pooledSweep, 'PR curve (pooled)')}` : ''}
<h2>Legend</h2>
${legend([
  [cssColour(CLASS_COLOURS[0]!), 'clear'],
  [cssColour(CLASS_COLOURS[1]!), 'cloud'],
  [cssColour(CLASS_COLOURS[2]!), 'shadow'],
  ['transparent', 'nodata (checkerboard)'],
])}
${legend([
  [cssColour(ERROR_COLOURS.truePositive), 'cloud in both'],
  [cssColour(ERROR_COLOURS.trueNegative), 'clear in both'],
  [cssColour(ERROR_COLOURS.falsePositive), 'false positive (predicted cloud, reference not)'],
  [cssColour(ERROR_COLOURS.falseNegative), 'false negative (reference cloud, missed)'],
  [cssColour(ERROR_COLOURS.shadowTruePositive), 'shadow in both'],
  [cssColour(ERROR_COLOURS.shadowFalsePositive), 'shadow false positive (predicted shadow, reference clear)'],
  [cssColour(ERROR_COLOURS.shadowFalseNegative), 'shadow false negative (reference shadow, predicted clear)'],
])}
${sections.join('\n')}
</body></html>
`;
  }
}

function metricsTable(rows: TableRow[]): string {
  const head = `<tr><th>image</th><th>scope</th><th>pixels</th>${METRIC_NAMES.map((n) => `<th>${METRIC_LABELS[n]}</th>`).join('')}</tr>`;
  const body = rows
    .map(
      (r) =>
        `<tr><td>${escapeHtml(r.image)}</td><td>${escapeHtml(r.scope)}</td><td>${r.metrics.pixels}</td>${METRIC_NAMES.map((n) => `<td data-metric="${n}">${escapeHtml(formatMetric(r.metrics, n))}</td>`).join('')}</tr>`,
    )
    .join('\n');
  return `<table class="metrics">\n${head}\n${body}\n</table>`;
}
