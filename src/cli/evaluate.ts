import { existsSync } from 'node:fs';
import { rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import { evaluateAll } from '../evaluate/evaluate-all.js';
import { expandFolders } from '../evaluate/expand-folders.js';
import { formatTable } from '../evaluate/metrics-table.js';
import type { PairBy } from '../evaluate/pairing.js';
import { HtmlReportWriter } from '../evaluate/report/html-report.js';
import { imageLocator } from '../evaluate/report/image-locator.js';
import { MASK_FORMATS } from '../masks/mask-formats.js';
import { resolveInputs } from '../raster/inputs.js';
import { AutocmError } from '../util/errors.js';
import { InputGuard } from '../util/input-guard.js';
import { prepareOutputFolder } from '../util/output-folder.js';
import { progressBar } from '../util/progress.js';
import { printResult } from './output.js';

interface EvaluateCliOptions {
  ref: string[];
  refFormat?: string;
  predFormat?: string;
  threshold?: string;
  refThreshold?: string;
  tolerance: string;
  align?: boolean;
  pair: string;
  json?: boolean;
  report?: string;
  images?: string[];
  quiet?: boolean;
  sensor?: string;
}

/** Band names of a quicklook image from its sensor profile; none (first three bands shown) when it cannot be told. */
async function quicklookBandNames(image: string, sensor: string | undefined): Promise<string[]> {
  try {
    const [resolved] = await resolveInputs([image], { sensor });
    return resolved?.bandNames ?? [];
  } catch {
    return [];
  }
}

function parseFraction(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const v = Number(value);
  if (!Number.isFinite(v) || v < 0 || v > 1) throw new AutocmError(`${flag} must be a probability in [0, 1], got "${value}"`);
  return v;
}

export function registerEvaluate(program: Command): void {
  program
    .command('evaluate')
    .description('score cloud masks against reference masks: precision, recall, F1, IoU, OA, balanced accuracy (cloud, and cloud+shadow)')
    .argument('<pred...>', 'predicted masks or probabilities (autocm outputs or any supported format), or folders of them')
    .requiredOption('--ref <ref...>', 'reference masks or folders of them, paired with the predictions by stem, date or order')
    .option('--ref-format <name>', `reference format: auto, ${MASK_FORMATS.join(', ')}`, 'auto')
    .option('--pred-format <name>', 'prediction format (same names)', 'auto')
    .option('--threshold <p>', 'probability threshold of probability predictions (default 0.5; s2cloudless 0.4)')
    .option('--ref-threshold <p>', 'probability threshold of probability references')
    .option('--tolerance <n>', 'also score without pixels within N px of reference cloud edges', '0')
    .option('--align', 'resample the prediction onto the reference grid (nearest neighbour) when the grids differ')
    .option('--pair <how>', 'pair predictions and references: auto, stem, date, order', 'auto')
    .option('--report <dir>', 'write an HTML report (index.html + PNG pictures) to DIR')
    .option('--images <image...>', 'images for the RGB quicklooks of the report (else found by stem next to the references)')
    .option('--sensor <id>', 'sensor profile of the --images (band names for true-colour quicklooks); detected when omitted')
    .option('--json', 'machine-readable output')
    .option('-q, --quiet', 'no progress on stderr')
    .action(async (preds: string[], o: EvaluateCliOptions) => {
      const tolerance = Number(o.tolerance);
      if (!Number.isInteger(tolerance) || tolerance < 0) throw new AutocmError(`--tolerance must be a whole number of pixels, got "${o.tolerance}"`);
      if (!['auto', 'stem', 'date', 'order'].includes(o.pair)) throw new AutocmError(`--pair must be auto, stem, date or order, got "${o.pair}"`);
      const predictions = await expandFolders(preds);
      const references = await expandFolders(o.ref);
      let report: HtmlReportWriter | null = null;
      // A report folder this run made is removed again on failure (rmdir: only while empty).
      const reportFolderIsNew = o.report !== undefined && !existsSync(o.report);
      if (o.report) {
        const guard = await InputGuard.of([...predictions, ...references, ...(o.images ?? [])]);
        await guard.check([join(o.report, 'index.html')]);
        await prepareOutputFolder(o.report, 'report folder');
        report = new HtmlReportWriter(o.report, imageLocator(o.images), (image) => quicklookBandNames(image, o.sensor), guard);
      }
      const progress = progressBar('evaluate', predictions.length, { quiet: o.quiet });
      let summary;
      try {
        summary = await evaluateAll(predictions, references, {
          predFormat: o.predFormat,
          refFormat: o.refFormat,
          threshold: parseFraction(o.threshold, '--threshold'),
          refThreshold: parseFraction(o.refThreshold, '--ref-threshold'),
          tolerance,
          align: o.align ?? false,
          pairBy: o.pair as PairBy,
          pictureMaxSide: report ? 512 : 0,
          onPair: async (outcome, index) => {
            for (const warning of outcome.evaluation.warnings) process.stderr.write(`warning: ${warning}\n`);
            await report?.addPair(outcome, index);
            progress.update(index + 1);
          },
        });
        progress.stop();
      } catch (error) {
        await report?.abort();
        if (reportFolderIsNew) await rmdir(o.report!).catch(() => {});
        throw error;
      }
      const reportPath = report ? await report.finish(summary) : null;
      printResult(o.json ?? false, { ...summary, report: reportPath }, () => formatTable(summary) + (reportPath ? `\nreport: ${reportPath}` : ''));
    });
}
