import type { Command } from 'commander';
import { loadModel } from '../model/weights.js';
import { openStack } from '../raster/stack.js';
import { DEFAULT_CONFIG } from '../train/config.js';
import { AutocmError } from '../util/errors.js';
import { numberOption } from './number-option.js';
import { trainFromOptions, type TrainCliOptions } from './train.js';
import { defaultModelPath } from '../model/default-model.js';
import { calibrateOnSynthetic } from '../evaluate/calibrate-synthetic.js';

/** What `adapt` changes from `train`'s defaults: short fine-tuning on one user stack. */
export const adaptDefaults = { steps: 300, k: 5, crop: 48 };

export interface AdaptRequest {
  inputs: string[];
  model?: string;
  output: string;
  steps?: number;
  sensor?: string;
  seed?: number;
  threads?: number;
  force?: boolean;
  quiet?: boolean;
  json?: boolean;
  silent?: boolean;
}

/**
 * Fine-tunes a model on the user's own stack with the method's label-free loss (`train --init`
 * with adapt's defaults, the same loop, checkpoints and report). When the stack lacks the model's
 * bands (e.g. red, NIR, SWIR1), trains from scratch on the stack's own bands instead, and says so.
 * A fine-tuned model that collapsed to the loss's "everything cloud" solution (seen on CBERS, a
 * small, nearly cloud-free stack: docs/accuracy.md) is set aside and refused (AdaptationRejected).
 */
export async function adaptModel(request: AdaptRequest, warn: (message: string) => void): Promise<string> {
  const modelPath = request.model ?? defaultModelPath;
  const model = await loadModel(modelPath);
  const probe = await openStack(request.inputs, { sensor: request.sensor });
  const has = model.metadata.bands.every((band) => probe.bandNames.includes(band.toLowerCase()));
  if (!has) warn(`the stack has bands ${probe.bandNames.join(', ')}, not the model's ${model.metadata.bands.join(', ')}: training from scratch on the stack's bands`);
  // A sample is three packs of K dates: K is at most a third of the stack.
  const k = Math.min(adaptDefaults.k, Math.floor(probe.images.length / 3));
  if (k < 2) throw new AutocmError(`adapt needs at least 6 dates (three packs of at least 2), got ${probe.images.length}`, request.inputs.join(' '));
  const start = has ? await calibrateOnSynthetic(modelPath, model.metadata.bands, { threads: request.threads, write: false, dataSensor: probe.sensor.id }) : null;
  const options: TrainCliOptions = {
    output: request.output,
    sensor: request.sensor,
    bands: has ? model.metadata.bands.join(',') : undefined,
    init: has ? modelPath : undefined,
    calibrate: 'synthetic',
    steps: request.steps ?? adaptDefaults.steps,
    k,
    // Leave crop2 room to shift (at least 8 px) on small scenes.
    crop: Math.max(8, Math.min(adaptDefaults.crop, Math.floor((Math.min(probe.width, probe.height) - 8) / 8) * 8)),
    spatialWeight: DEFAULT_CONFIG.spatialWeight,
    temporalWeight: DEFAULT_CONFIG.temporalWeight,
    margin: DEFAULT_CONFIG.margin,
    minValid: DEFAULT_CONFIG.minValid,
    seed: request.seed ?? DEFAULT_CONFIG.seed,
    threads: request.threads,
    checkpointEvery: 50,
    force: request.force,
    quiet: request.quiet,
    json: request.json,
    silent: request.silent,
    baseline: start && !('skipped' in start) ? { model: modelPath, f1: start.f1 } : undefined,
  };
  return trainFromOptions(request.inputs, options);
}

export function registerAdapt(program: Command): void {
  program
    .command('adapt')
    .description("Fine-tune a model on your own stack without labels (the method's loss; train --init with short defaults), or train from scratch when the stack has other bands")
    .argument('<stack...>', 'dates of one place: files, folders, globs, list files or STAC')
    .requiredOption('-o, --output <file>', 'adapted model (.safetensors; checkpoint, log and training report beside it)')
    .option('--model <file>', 'model to start from (default: the default model)')
    .option('--steps <n>', `training steps (default ${adaptDefaults.steps})`, numberOption('integer'))
    .option('--sensor <name>', 'sensor profile (default: detected)')
    .option('--seed <n>', 'random seed', numberOption('integer'))
    .option('--threads <n>', 'ONNX Runtime intra-op threads', numberOption('integer'))
    .option('--force', 'replace an existing output model')
    .option('--quiet', 'no progress bar')
    .option('--json', 'machine-readable summary on stdout')
    .action(async (stack: string[], options: Omit<AdaptRequest, 'inputs'>) => {
      await adaptModel({ ...options, inputs: stack }, (m) => process.stderr.write(`autocm: warning: ${m}\n`));
    });
}
