import type { Command } from 'commander';
import { mkdir } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { adaptModel } from './adapt.js';
import { AdaptationRejected } from '../train/adaptation-guard.js';
import { defaultModelPath, hasDefaultModel } from '../model/default-model.js';
import { predictImages, type ImageSummary } from '../predict/predict-images.js';
import { predictStack, type StackDateSummary } from '../predict/stack/predict-stack.js';
import type { StackOrder } from '../predict/stack/stack-order.js';
import type { ProbabilityFormat } from '../predict/scene-predictor.js';
import { AutocmError } from '../util/errors.js';
import { addMaskOptions, type MaskCliOptions } from './mask-options.js';
import { numberOption } from './number-option.js';
import { printResult } from './output.js';

interface PredictCliOptions extends MaskCliOptions {
  output: string;
  model?: string;
  threads?: number;
  provider?: string;
  overwrite?: boolean;
  json?: boolean;
  quiet?: boolean;
  shadows: boolean;
  shadowBuffer?: number;
  shadowProb?: boolean;
  sunAzimuth?: number;
  sunElevation?: number;
  stack?: boolean;
  order?: StackOrder;
  stackRule?: string;
  adapt?: number;
}

export function registerPredict(program: Command): void {
  const command = program
    .command('predict')
    .description('Cloud probability and cloud mask COGs on the grid of each input image (<stem>_cloudprob.tif, <stem>_cloudmask.tif: 0 clear, 1 cloud, 2 cloud shadow)')
    .argument('<input...>', 'images: GeoTIFF or JPEG 2000 files, folders, globs, list files, products (Sentinel-2 SAFE, Landsat C2 folder or .tar, PlanetScope order), or STAC (ItemCollection or API search URL)')
    .requiredOption('-o, --output <dir>', 'output folder (created if missing)')
    .option('--model <file>', 'model weights (.safetensors); default: models/autocm-default.safetensors shipped with autocm');
  addMaskOptions(command)
    .option('--threads <n>', 'CPU threads for the network, shared by two inference worker threads (one on scenes wider than 12288 px); 1 also keeps shadow detection on one thread (default: all cores)', numberOption('integer', 1))
    .option('--provider <name>', 'ONNX Runtime execution provider (cpu, cuda, ...)')
    .option('--overwrite', 'replace existing outputs (default: skip an image whose two outputs exist)')
    .option('--no-shadows', 'cloud only: no cloud-shadow class (default: shadows are class 2 of the mask wherever the image has a NIR band)')
    .option('--shadow-buffer <pixels>', 'dilate the shadow class by a disk of this many pixels (default: --buffer)', numberOption('integer'))
    .option('--shadow-prob', 'also write <stem>_shadowprob.tif (shadow probability)')
    .option('--sun-azimuth <deg>', 'sun azimuth of the images, degrees clockwise from north (with --sun-elevation; default: from metadata, else searched per scene)', numberOption('number'))
    .option('--sun-elevation <deg>', 'sun elevation of the images, degrees (0-90]', numberOption('number'))
    .option('--quiet', 'no progress bars')
    .option('--json', 'machine-readable summary on stdout')
    .option('--stack', "the inputs are dates of one place on one grid: each date's probability also uses the other dates (their (1 - p)-weighted composite, and a temporal outlier test trusted when it agrees with the network over the stack), fused by a calibrated rule; where a pixel has 15 clear dates over 2 years and the bands include SWIR1, Tmask's seasonal model with a SWIR1 snow test decides; writes stack_dates_used.tif (other dates used per pixel and date)")
    .option('--order <how>', '--stack: order the dates by date (default; every image needs one), name (file name) or input (as given)')
    .option('--stack-rule <json>', '--stack: fusion rule (default: <model>.stack-rule.json beside the model, else models/stack-rule.json)')
    .option('--adapt <steps>', 'first fine-tune the model on these inputs without labels for this many steps (autocm adapt; the model, its checkpoint and training report go to OUTPUT/adapted-model.*), then predict with it', numberOption('integer'))
    .action(async (inputs: string[], options: PredictCliOptions) => {
      let model = options.model ?? defaultModel();
      warnIfMoreThreadsThanCores(options.threads);
      if ((options.sunAzimuth === undefined) !== (options.sunElevation === undefined)) throw new AutocmError('--sun-azimuth and --sun-elevation go together: give both or neither');
      if (options.sunElevation !== undefined && !(options.sunElevation > 0 && options.sunElevation <= 90)) throw new AutocmError(`--sun-elevation must be in (0, 90] degrees (got ${options.sunElevation})`);
      if (options.adapt !== undefined) {
        if (options.adapt < 1) throw new AutocmError(`--adapt must be at least 1 step (got ${options.adapt})`);
        await mkdir(options.output, { recursive: true });
        const warn = (m: string) => process.stderr.write(`autocm: warning: ${m}\n`);
        try {
          model = await adaptModel(
            { inputs, model, output: join(options.output, 'adapted-model.safetensors'), steps: options.adapt, sensor: options.sensor, threads: options.threads, force: options.overwrite, quiet: options.quiet || options.json, silent: true },
            warn,
          );
        } catch (error) {
          if (!(error instanceof AdaptationRejected)) throw error;
          warn(`${error.message}; predicting with ${model}`);
        }
      }
      if (!options.stack && (options.order || options.stackRule)) throw new AutocmError('--order and --stack-rule only apply with --stack');
      if (options.stack) {
        const summary = await predictStack(inputs, { ...maskOptions(options), ...shadowOptions(options), model, order: options.order, stackRule: options.stackRule });
        printResult(options.json ?? false, summary, () => summary.dates.map(describeDate).join('\n'));
        return;
      }
      const summary = await predictImages(inputs, {
        model,
        ...maskOptions(options),
        ...shadowOptions(options),
      });
      printResult(options.json ?? false, summary, () => summary.images.map(describeImage).join('\n'));
    });
}

/** More intra-op threads than cores is allowed (a fair test of a busy machine) but rarely faster. */
function warnIfMoreThreadsThanCores(threads: number | undefined): void {
  const cores = availableParallelism();
  if (threads !== undefined && threads > cores) process.stderr.write(`autocm: warning: --threads ${threads} is more than the ${cores} cores of this machine; ONNX Runtime's threads will compete for them\n`);
}

function shadowOptions(options: PredictCliOptions) {
  return {
    shadows: options.shadows,
    shadowBuffer: options.shadowBuffer,
    shadowProbability: options.shadowProb,
    sun: options.sunAzimuth !== undefined ? { azimuth: options.sunAzimuth, elevation: options.sunElevation! } : undefined,
  };
}

function maskOptions(options: PredictCliOptions) {
  return {
    outputDirectory: options.output,
    sensor: options.sensor,
    threshold: options.threshold,
    buffer: options.buffer,
    format: options.format as ProbabilityFormat,
    tile: options.tile,
    overlap: options.overlap,
    threads: options.threads,
    provider: options.provider,
    overwrite: options.overwrite,
    quiet: options.quiet || options.json,
  };
}

function describeDate(date: StackDateSummary): string {
  const skipped = date.skipped ? ` (skipped: ${date.skipped})` : '';
  return `${date.input}${skipped}: cloud ${percent(date.cloudFraction)} (single-image ${percent(date.singleCloudFraction)})${date.shadowFraction !== undefined ? `, shadow ${percent(date.shadowFraction)} (direction: ${date.shadowDirection})` : ''}, single-image fallback ${percent(date.fallbackFraction)} -> ${date.outputs.probability}, ${date.outputs.mask}`;
}

function defaultModel(): string {
  if (hasDefaultModel()) return defaultModelPath;
  throw new AutocmError(
    'no model given and no default model shipped with this installation: pass --model FILE.safetensors, or convert the authors\' Keras checkpoint with `autocm import-keras PREFIX -o model.safetensors`',
    defaultModelPath,
  );
}

function percent(fraction: number | null | undefined): string {
  return fraction === null || fraction === undefined ? 'n/a' : `${(100 * fraction).toFixed(1)} %`;
}

function describeImage(image: ImageSummary): string {
  if (image.status === 'skipped') return `${image.input}: skipped, outputs exist (--overwrite to replace)`;
  return (
    `${image.input}: cloud ${percent(image.cloudFraction)}${image.shadowFraction !== undefined ? `, shadow ${percent(image.shadowFraction)} (direction: ${image.shadowDirection})` : ''}, nodata ${percent(image.nodataFraction)}, ` +
    `${image.seconds!.toFixed(1)} s (${image.megapixelsPerSecond!.toFixed(2)} Mpx/s) -> ${image.outputs.probability}, ${image.outputs.mask}`
  );
}
