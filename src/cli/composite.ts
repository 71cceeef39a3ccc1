import type { Command } from 'commander';
import { COMPOSITE_METHODS, type CompositeMethod } from '../composite/composite-methods.js';
import { compositeStack } from '../composite/composite-stack.js';
import { reflectanceStackOf } from '../raster/reflectance-stack.js';
import { MASK_FORMATS } from '../masks/mask-formats.js';
import { predictImages } from '../predict/predict-images.js';
import { openStack } from '../raster/stack.js';
import { AutocmError } from '../util/errors.js';
import { refuseOverwritingInputs } from '../util/input-guard.js';
import { checkOutputFile } from '../util/output-file.js';
import { progressBar } from '../util/progress.js';
import { withTemporaryFolder } from '../util/temporary-cleanup.js';
import { printResult } from './output.js';
import { predictStack } from '../predict/stack/predict-stack.js';
import { defaultModelPath } from '../model/default-model.js';

interface CompositeCliOptions {
  output: string;
  masks?: string;
  model?: string;
  stackMasks?: boolean;
  maskFormat?: string;
  method: string;
  threshold?: string;
  from?: string;
  to?: string;
  targetDate?: string;
  count?: string;
  allowMissing?: boolean;
  keepShadows?: boolean;
  sensor?: string;
  bands?: string;
  json?: boolean;
  quiet?: boolean;
}

export function parseDate(value: string | undefined, flag: string): Date | undefined {
  if (value === undefined) return undefined;
  const m = /^(\d{4})-?(\d{2})-?(\d{2})$/.exec(value.trim());
  const date = m ? new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!)) : null;
  // Date.UTC rolls 2023-13-01 over to 2024-01-01 and 02-30 to 03-02: a real date reads back the same.
  if (!date || date.getUTCFullYear() !== +m![1]! || date.getUTCMonth() !== +m![2]! - 1 || date.getUTCDate() !== +m![3]!) {
    throw new AutocmError(`${flag} must be a calendar date YYYY-MM-DD, got "${value}"`);
  }
  return date;
}

export function registerComposite(program: Command): void {
  program
    .command('composite')
    .description(
      'cloud-free composite of a stack and its masks on the stack grid: mean (the method: weights 1 - p), median or best ' +
        '(clearest observation; ties to the date closest to --target-date, else the latest). ' +
        'Output: float32 COG in the input units (no rescaling), NaN where no clear observation exists',
    )
    .argument('<stack...>', 'images, folders, globs, list files or STAC JSON of one sensor on one grid')
    .requiredOption('-o, --output <file>', 'composite COG')
    .option('--masks <dir>', 'masks: <stem>_cloudprob.tif (preferred) or <stem>_cloudmask.tif from predict/baseline, or any supported mask format matched by stem or date')
    .option('--model <file>', 'predict the masks on the fly with this model (kept in --masks when given, else in a temporary folder)')
    .option('--stack-masks', 'predict the masks with predict --stack (each date also uses the other dates) on the way; the model: --model, else the default model')
    .option('--mask-format <name>', `mask format: auto, ${MASK_FORMATS.join(', ')}`, 'auto')
    .option('--method <name>', `${COMPOSITE_METHODS.join(', ')}`, 'mean')
    .option('--threshold <p>', "an observation is clear where its cloud probability is below this (default: the model's calibrated threshold recorded in each probability file, else 0.5)")
    .option('--from <date>', 'first acquisition date used (YYYY-MM-DD)')
    .option('--to <date>', 'last acquisition date used (YYYY-MM-DD)')
    .option('--target-date <date>', 'best: ties go to the date closest to this (default: the latest)')
    .option('--count <file>', 'also write the number of clear observations per pixel (uint16 COG)')
    .option('--keep-shadows', 'keep cloud-shadow pixels (class 2 of the masks) in the composite (default: excluded like cloud)')
    .option('--allow-missing', 'leave out images without a mask instead of failing')
    .option('--sensor <id>', 'sensor profile; detected when omitted')
    .option('--bands <names>', 'comma-separated bands to composite (common names)')
    .option('--json', 'machine-readable output (which mask went with which image)')
    .option('-q, --quiet', 'no progress on stderr')
    .action(async (inputs: string[], o: CompositeCliOptions) => {
      if (!(COMPOSITE_METHODS as string[]).includes(o.method)) throw new AutocmError(`--method must be one of ${COMPOSITE_METHODS.join(', ')}, got "${o.method}"`);
      const threshold = o.threshold === undefined ? undefined : Number(o.threshold);
      if (threshold !== undefined && (!Number.isFinite(threshold) || threshold <= 0 || threshold > 1)) throw new AutocmError(`--threshold must be in (0, 1], got "${o.threshold}"`);
      const from = parseDate(o.from, '--from');
      const to = parseDate(o.to, '--to');
      if (from && to && from > to) throw new AutocmError(`--from ${o.from} is after --to ${o.to}`);
      if (o.stackMasks) o.model ??= defaultModelPath;
      if (!o.masks && !o.model) throw new AutocmError('give --masks DIR, or --model MODEL (or --stack-masks) to predict the masks');
      const run = (masksDir: string) => compositeWith(inputs, o, masksDir, threshold, from, to);
      if (o.masks) await run(o.masks);
      else await withTemporaryFolder('autocm-composite-masks-', run);
    });
}

async function compositeWith(inputs: string[], o: CompositeCliOptions, masksDir: string, threshold: number | undefined, from?: Date, to?: Date): Promise<void> {
  const opened = await openStack(inputs, { sensor: o.sensor, bands: o.bands?.split(',').map((b) => b.trim()).filter(Boolean) });
  await refuseOverwritingInputs([o.output, o.count], [...opened.images.flatMap((image) => image.files), masksDir, o.model]);
  await checkOutputFile(o.output, 'composite');
  if (o.count) await checkOutputFile(o.count, 'count file');
  if (o.model && o.stackMasks) await predictStack(inputs, { model: o.model, outputDirectory: masksDir, sensor: o.sensor, quiet: o.quiet, overwrite: true });
  else if (o.model) await predictImages(inputs, { model: o.model, outputDirectory: masksDir, sensor: o.sensor, quiet: o.quiet });
  const stack = reflectanceStackOf(opened);
  let progress: ReturnType<typeof progressBar> | undefined;
  const summary = await compositeStack(stack, {
    output: o.output,
    countPath: o.count,
    method: o.method as CompositeMethod,
    threshold,
    masksDir,
    maskFormat: o.maskFormat,
    allowMissing: o.allowMissing,
    keepShadows: o.keepShadows,
    from,
    to,
    targetDate: parseDate(o.targetDate, '--target-date'),
    onProgress: (done, total) => {
      progress ??= progressBar(`composite ${o.method}`, total, { quiet: o.quiet });
      progress.update(done);
    },
  });
  progress?.stop();
  printResult(o.json ?? false, summary, () =>
    [
      `${summary.output}: ${summary.method} composite of ${summary.matches.filter((m) => m.mask).length} images, ${summary.width} x ${summary.height}, bands ${summary.bands.join(', ')}, clear below p = ${summary.thresholds.join(', ')}`,
      ...summary.matches.map((m) => `  ${m.image} <- ${m.mask ?? 'no mask (left out)'}${m.mask ? ` [${m.by}, ${m.maskFormat}]` : ''}`),
      summary.outsideRange.length ? `  ${summary.outsideRange.length} images outside --from/--to` : '',
      summary.count ? `count: ${summary.count}` : '',
    ]
      .filter(Boolean)
      .join('\n'),
  );
}
