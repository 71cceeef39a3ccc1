import type { Command } from 'commander';
import { defaultModelPath, hasDefaultModel } from '../model/default-model.js';
import { predictImages, type ImageSummary } from '../predict/predict-images.js';
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
}

export function registerPredict(program: Command): void {
  const command = program
    .command('predict')
    .description('Cloud probability and cloud mask COGs on the grid of each input image (<stem>_cloudprob.tif, <stem>_cloudmask.tif: 0 clear, 1 cloud, 2 cloud shadow)')
    .argument('<input...>', 'images: GeoTIFF or JPEG 2000 files, folders, globs, list files, products (Sentinel-2 SAFE, Landsat C2 folder or .tar, PlanetScope order), or STAC (ItemCollection or API search URL)')
    .requiredOption('-o, --output <dir>', 'output folder (created if missing)')
    .option('--model <file>', 'model weights (.safetensors); default: models/autocm-default.safetensors shipped with autocm');
  addMaskOptions(command)
    .option('--threads <n>', 'intra-op threads (default: all cores)', numberOption('integer'))
    .option('--provider <name>', 'ONNX Runtime execution provider (cpu, cuda, ...)')
    .option('--overwrite', 'replace existing outputs (default: skip an image whose two outputs exist)')
    .option('--no-shadows', 'cloud only: no cloud-shadow class (default: shadows are class 2 of the mask wherever the image has a NIR band)')
    .option('--shadow-buffer <pixels>', 'dilate the shadow class by a disk of this many pixels (default: --buffer)', numberOption('integer'))
    .option('--shadow-prob', 'also write <stem>_shadowprob.tif (shadow probability)')
    .option('--sun-azimuth <deg>', 'sun azimuth of the images, degrees clockwise from north (with --sun-elevation; default: from metadata, else searched per scene)', numberOption('number'))
    .option('--sun-elevation <deg>', 'sun elevation of the images, degrees (0-90]', numberOption('number'))
    .option('--quiet', 'no progress bars')
    .option('--json', 'machine-readable summary on stdout')
    .action(async (inputs: string[], options: PredictCliOptions) => {
      const model = options.model ?? defaultModel();
      if ((options.sunAzimuth === undefined) !== (options.sunElevation === undefined)) throw new AutocmError('--sun-azimuth and --sun-elevation go together: give both or neither');
      if (options.sunElevation !== undefined && !(options.sunElevation > 0 && options.sunElevation <= 90)) throw new AutocmError(`--sun-elevation must be in (0, 90] degrees (got ${options.sunElevation})`);
      const summary = await predictImages(inputs, {
        model,
        outputDirectory: options.output,
        sensor: options.sensor,
        threshold: options.threshold,
        buffer: options.buffer,
        shadows: options.shadows,
        shadowBuffer: options.shadowBuffer,
        shadowProbability: options.shadowProb,
        sun: options.sunAzimuth !== undefined ? { azimuth: options.sunAzimuth, elevation: options.sunElevation! } : undefined,
        format: options.format as ProbabilityFormat,
        tile: options.tile,
        overlap: options.overlap,
        threads: options.threads,
        provider: options.provider,
        overwrite: options.overwrite,
        quiet: options.quiet || options.json,
      });
      printResult(options.json ?? false, summary, () => summary.images.map(describeImage).join('\n'));
    });
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
