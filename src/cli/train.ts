import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { calibrateOnSynthetic, saturatedThresholdWarning } from '../evaluate/calibrate-synthetic.js';
import { adaptationVerdict, rejectAdaptedModel, type AdaptationBaseline } from '../train/adaptation-guard.js';
import type { Command } from 'commander';
import { openStack, type ImageStack } from '../raster/stack.js';
import { checkpointPathFor } from '../train/checkpoint.js';
import { DEFAULT_CONFIG, SCRATCH_LEARNING_RATE, type TrainConfig } from '../train/config.js';
import { logPathFor } from '../train/log.js';
import { train } from '../train/loop.js';
import { planPacks } from '../train/pack-plan.js';
import { reportPathsFor, type DataSummary } from '../train/report.js';
import { type TrainingScene, stackScene } from '../train/scene.js';
import { AutocmError } from '../util/errors.js';
import { checkOutputFile } from '../util/output-file.js';
import { refuseOverwritingInputs } from '../util/input-guard.js';
import { numberOption } from './number-option.js';
import { printResult } from './output.js';
import { checkTrainNumbers, type TrainNumbers } from './train-options.js';

export interface TrainCliOptions extends TrainNumbers {
  output: string;
  sensor?: string;
  bands?: string;
  calibrate: string;
  resume?: string;
  init?: string;
  allowUndated?: boolean;
  force?: boolean;
  quiet?: boolean;
  json?: boolean;
  /** Print no summary (when another command reports). */
  silent?: boolean;
  /** `adapt`: the starting model's synthetic score; an adapted model that collapsed is refused (adaptation-guard.ts). */
  baseline?: AdaptationBaseline;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Several folders are several places (one stack each, sampled across); anything else (files,
 * globs, one folder, list files, STAC) is one stack.
 */
async function openStacks(inputs: string[], sensor: string | undefined, bands: string[] | undefined): Promise<{ stacks: ImageStack[]; names: string[]; radiometryGuesses: string[] }> {
  const groups = inputs.length > 1 && inputs.every(isDirectory) ? inputs.map((i) => [i]) : [inputs];
  const stacks: ImageStack[] = [];
  for (const group of groups) stacks.push(await openStack(group, { sensor, bands }));
  const first = stacks[0]!;
  // Places may come from different sensors: inputs are reflectances (each image scaled by its
  // own sensor profile) and bands are matched by common name, so only the band list must agree.
  stacks.forEach((s, i) => {
    if (s.bandNames.join() !== first.bandNames.join())
      throw new AutocmError(`bands ${s.bandNames.join(', ')} differ from ${first.bandNames.join(', ')} of ${groups[0]!.join(' ')} (choose common bands with --bands)`, groups[i]!.join(' '));
  });
  // Radiometry guessed (unknown Sentinel-2 baseline, no MTL, int8): said once per kind of guess.
  const guesses = new Map<string, string[]>();
  for (const image of stacks.flatMap((s) => s.images)) if (image.scalingGuess) guesses.set(image.scalingGuess, [...(guesses.get(image.scalingGuess) ?? []), image.source]);
  const radiometryGuesses = [...guesses].map(([guess, sources]) => `${sources[0]}${sources.length > 1 ? ` and ${sources.length - 1} more` : ''}: ${guess}`);
  for (const line of radiometryGuesses) process.stderr.write(`autocm: warning: ${line}\n`);
  return { stacks, names: groups.map((g) => g.join(' ')), radiometryGuesses };
}

/** The sensor profile id every stack shares (the synthetic calibration then uses that platform), or undefined. */
function sharedSensorId(stacks: ImageStack[]): string | undefined {
  const id = stacks[0]!.sensor.id;
  return stacks.every((s) => s.sensor.id === id) ? id : undefined;
}

/** No output may overwrite an input; an existing model or checkpoint is replaced only with --force (or continued with --resume). */
async function checkOutputs(options: TrainCliOptions, stacks: ImageStack[]): Promise<void> {
  const checkpoint = checkpointPathFor(options.output);
  const outputs = [options.output, logPathFor(options.output), ...Object.values(reportPathsFor(options.output))];
  // A resumed run writes its checkpoint over the one it resumes from, by design.
  await refuseOverwritingInputs(options.resume ? outputs : [...outputs, checkpoint], [...stacks.flatMap((s) => s.images.flatMap((i) => i.files)), options.resume, options.init]);
  await checkOutputFile(options.output, 'model file');
  if (options.resume || options.force) return;
  if (existsSync(options.output)) throw new AutocmError('exists: pass --force to train a new model in its place, or --resume CHECKPOINT to continue its training', options.output);
  if (existsSync(checkpoint)) throw new AutocmError(`a training checkpoint exists: pass --resume ${checkpoint} to continue that run, or --force to start a new one`, checkpoint);
}

export function registerTrain(program: Command): void {
  program
    .command('train')
    .description('train a cloud-masking model without labels from image time series (Auto-CM)')
    .argument('<stack...>', 'images of one place (files, folder, glob, list, STAC); several folders = several places')
    .requiredOption('-o, --output <file>', 'model file to write (.safetensors); log, checkpoint and report go beside it')
    .option('--sensor <name>', 'sensor profile (default: detected)')
    .option('--bands <list>', 'comma-separated bands to train on (default: every band the images share)')
    .option('--steps <n>', 'training steps (one sample of three packs each)', numberOption('integer'))
    .option('--epochs <n>', 'epochs: one epoch = one sample per valid pack start (default 1 when --steps is absent)', numberOption('number'))
    .option('--crop <px>', 'crop side (multiple of 8)', numberOption('integer'), DEFAULT_CONFIG.crop)
    .option('--k <n>', 'images per pack', numberOption('integer'), DEFAULT_CONFIG.k)
    .option('--max-span-days <days>', 'longest time one pack of K images may span (default: 3 x (K-1) x the median gap between dates, at least 30)', numberOption('number', 0))
    .option('--allow-undated', 'train on images without dates, packing them by order alone')
    .option('--grid <px>', 'grid of crop2 offsets (default crop/4)', numberOption('integer'))
    .option('--lr <rate>', `Adam learning rate (default ${SCRATCH_LEARNING_RATE} from scratch, ${DEFAULT_CONFIG.learningRate} with --init)`, numberOption('number'))
    .option('--spatial-weight <w>', 'weight of the spatial similarity loss', numberOption('number'), DEFAULT_CONFIG.spatialWeight)
    .option('--temporal-weight <w>', 'weight of the temporal ordering loss', numberOption('number'), DEFAULT_CONFIG.temporalWeight)
    .option('--margin <m>', 'margin of the temporal hinge', numberOption('number'), DEFAULT_CONFIG.margin)
    .option('--min-valid <f>', 'skip windows whose valid fraction is below this', numberOption('number'), DEFAULT_CONFIG.minValid)
    .option('--seed <n>', 'random seed (initial weights, samples)', numberOption('integer'), DEFAULT_CONFIG.seed)
    .option('--threads <n>', 'ONNX Runtime intra-op threads (default: all cores)', numberOption('integer'))
    .option('--checkpoint-every <n>', 'write a checkpoint every n steps', numberOption('integer'), 50)
    .option('--resume <checkpoint>', 'continue from a checkpoint of the same configuration')
    .option('--init <model>', "fine-tune: start the U-Net from this model's weights (e.g. the authors' weights from import-keras, or the default model)")
    .option('--force', 'train a new model in place of an existing one (its checkpoint and log are replaced once the first step is done)')
    .option('--calibrate <how>', "the model's threshold: 'synthetic' (label-free, on the exact truth of a small synthetic stack with the model's bands, of the data's platform where synth has it) or 'none' (0.5)", 'synthetic')
    .option('--quiet', 'no progress bar')
    .option('--json', 'machine-readable summary on stdout')
    .action(async (inputs: string[], options: TrainCliOptions) => {
      await trainFromOptions(inputs, options);
    });
}

/** `autocm train` once its options are parsed; `adapt` runs it with its own defaults. */
export async function trainFromOptions(inputs: string[], options: TrainCliOptions): Promise<string> {
  if (!['synthetic', 'none'].includes(options.calibrate)) throw new AutocmError(`--calibrate must be synthetic or none, got "${options.calibrate}"`);
  checkTrainNumbers(options);
  const { stacks, names, radiometryGuesses } = await openStacks(inputs, options.sensor, options.bands?.split(',').map((b) => b.trim()).filter(Boolean));
  await checkOutputs(options, stacks);
  const scenes: TrainingScene[] = stacks.map((s, i) => stackScene(s, names[i]!));
  const k = options.k;
  // train() plans again (and warns); here the plan sizes an epoch and is shown in the summary.
  const packs = planPacks(scenes, k, { maxSpanDays: options.maxSpanDays, allowUndated: options.allowUndated }, () => {});
  const steps = options.steps ?? Math.max(1, Math.round((options.epochs ?? 1) * packs.startsPerEpoch));
  if (steps < 1) throw new AutocmError(`--steps ${steps} must be at least 1`);
  const config: TrainConfig = {
    sensor: [...new Set(stacks.map((s) => s.sensor.id))].join('+'),
    bands: stacks[0]!.bandNames,
    normalisation: 'reflectance',
    k,
    crop: options.crop,
    offsetGrid: options.grid ?? Math.max(1, Math.round(options.crop / 4)),
    steps,
    learningRate: options.lr ?? (options.init ? DEFAULT_CONFIG.learningRate : SCRATCH_LEARNING_RATE),
    beta1: DEFAULT_CONFIG.beta1,
    beta2: DEFAULT_CONFIG.beta2,
    epsilon: DEFAULT_CONFIG.epsilon,
    spatialWeight: options.spatialWeight,
    temporalWeight: options.temporalWeight,
    margin: options.margin,
    seed: options.seed,
    minValid: options.minValid,
    maxSpanDays: packs.maxSpanDays,
    ...(options.init ? { init: resolve(options.init) } : {}),
  };
  const data: DataSummary = {
    sensor: config.sensor,
    bands: config.bands,
    scenes: stacks.map((s, i) => ({
      name: names[i]!,
      images: s.images.length,
      width: s.width,
      height: s.height,
      firstDate: s.images[0]?.date?.toISOString().slice(0, 10) ?? null,
      lastDate: s.images[s.images.length - 1]?.date?.toISOString().slice(0, 10) ?? null,
    })),
  };
  try {
    const result = await train({
      config,
      scenes,
      data,
      radiometryGuesses,
      output: options.output,
      checkpointEvery: options.checkpointEvery,
      resume: options.resume,
      init: options.init,
      allowUndated: options.allowUndated,
      threads: options.threads,
      quiet: options.quiet,
    });
    const calibration = options.calibrate === 'synthetic' ? await calibrateOnSynthetic(result.output, config.bands, { threads: options.threads, dataSensor: sharedSensorId(stacks) }) : { skipped: '--calibrate none' };
    const saturated = 'skipped' in calibration ? null : saturatedThresholdWarning(calibration);
    const refusal = options.baseline ? adaptationVerdict(options.baseline, calibration) : null;
    if (refusal) await rejectAdaptedModel(result.output, refusal);
    if (saturated) process.stderr.write(`autocm: warning: ${saturated}\n`);
    const last = result.log[result.log.length - 1];
    const packSummary = { k, maxSpanDays: packs.maxSpanDays, rule: packs.spanNote, startsPerEpoch: packs.startsPerEpoch };
    if (!options.silent) printResult(options.json ?? false, { ...result, log: undefined, steps: last?.step ?? 0, lastLosses: last ?? null, packs: packSummary, calibration }, () =>
      [
        `model: ${result.output} (${last?.step ?? 0} steps${result.startedAtStep ? `, resumed at ${result.startedAtStep}` : ''})`,
        `packs: K=${k}, ${packs.maxSpanDays === null ? 'by image order' : `each spanning at most ${packs.maxSpanDays} days (${packs.spanNote})`}; ${packs.startsPerEpoch} valid starts per epoch`,
        last ? `last losses: loss ${last.loss.toExponential(3)}, rec ${last.rec.toExponential(3)}, spatial ${last.spatial.toExponential(3)}, temporal ${last.temporal.toExponential(3)}` : '',
        'skipped' in calibration
          ? `threshold: 0.5 (not calibrated: ${calibration.skipped})`
          : `threshold: ${calibration.threshold} (calibrated on a synthetic stack's truth: F1 ${calibration.f1.toFixed(3)}, at 0.5 ${calibration.f1AtHalf?.toFixed(3) ?? 'n/a'}; recalibrate with autocm model calibrate)`,
        `checkpoint: ${result.checkpoint}`,
        `report: ${result.reportFiles.join(', ')}`,
      ].join('\n'),
    );
    return result.output;
  } finally {
    for (const s of scenes) await s.close();
  }
}
