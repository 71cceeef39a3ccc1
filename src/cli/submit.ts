import type { Command } from 'commander';
import { predictDefaults } from '../predict/predict-images.js';
import { loadModel } from '../model/weights.js';
import { connectForCommand } from '../queue/connection.js';
import type { PredictJobOptions } from '../queue/payload.js';
import { validatePredictOptions } from '../queue/payload.js';
import { expandSubmitInputs } from '../queue/submit-inputs.js';
import { submitRun } from '../queue/submit.js';
import { AutocmError } from '../util/errors.js';
import { addMaskOptions, type MaskCliOptions } from './mask-options.js';
import { numberOption } from './number-option.js';
import { printResult } from './output.js';
import { addRedisOptions, redisTargetFrom } from './redis-options.js';

interface SubmitCliOptions extends MaskCliOptions {
  model: string;
  output: string;
  redis?: string;
  tlsCa?: string;
  splitAbove: number;
  tilesPerBand: number;
  inputRoot?: string;
  outputRoot?: string;
  json?: boolean;
}

export function registerSubmit(program: Command): void {
  const command = program
    .command('submit')
    .description('Queue predict jobs on Redis for `autocm worker`s (one per scene; large scenes as strip jobs plus an assembling job) and print the run id')
    .argument('<input...>', 'images: GeoTIFF files, folders, globs, list files, or a STAC ItemCollection')
    .requiredOption('--model <file>', 'model weights (.safetensors), on the shared folder the workers read')
    .requiredOption('-o, --output <dir>', 'output folder on the shared folder the workers write');
  addMaskOptions(command)
    .option('--split-above <mpx>', 'scenes larger than this many megapixels are split into row-band jobs', numberOption('number'), 100)
    .option('--tiles-per-band <n>', 'rows of tiles per strip job of a split scene', numberOption('integer'), 4)
    .option('--input-root <dir>', 'write input and model paths relative to this folder (workers mount it as their --input-root)')
    .option('--output-root <dir>', 'write the output path relative to this folder (workers mount it as their --output-root)')
    .option('--json', 'print the run as JSON');
  addRedisOptions(command).action(async (inputs: string[], options: SubmitCliOptions) => {
    if (!(options.splitAbove > 0)) throw new AutocmError(`--split-above must be a positive number of megapixels (got ${options.splitAbove})`);
    if (options.tilesPerBand < 1) throw new AutocmError(`--tiles-per-band must be at least 1 (got ${options.tilesPerBand})`);
    let predictOptions: PredictJobOptions;
    try {
      predictOptions = validatePredictOptions({
        threshold: options.threshold ?? (await loadModel(options.model)).metadata.threshold ?? predictDefaults.threshold,
        buffer: options.buffer,
        format: options.format,
        tile: options.tile,
        overlap: options.overlap,
        sensor: options.sensor ?? null,
      });
    } catch (error) {
      throw new AutocmError((error as Error).message.replace('invalid job payload: ', ''));
    }
    const scenes = await expandSubmitInputs(inputs, predictOptions.sensor);
    const redis = await connectForCommand(redisTargetFrom(options));
    try {
      const result = await submitRun(redis, {
        inputs: scenes,
        model: options.model,
        dest: options.output,
        options: predictOptions,
        splitAboveMpx: options.splitAbove,
        tilesPerBand: options.tilesPerBand,
        ...(options.inputRoot !== undefined ? { inputRoot: options.inputRoot } : {}),
        ...(options.outputRoot !== undefined ? { outputRoot: options.outputRoot } : {}),
      });
      printResult(Boolean(options.json), result, () =>
        [
          result.runId,
          `${result.scenes} scenes (${result.splitScenes} split), ${result.added} queued now, ${result.alreadyQueued} already queued or done, ${result.retried} failed ones re-queued`,
          `follow it with: autocm status ${result.runId} --wait`,
        ].join('\n'),
      );
    } finally {
      await redis.quit();
    }
  });
}
