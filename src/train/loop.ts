import { rm } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { type AdamState, adamStep, createAdamState } from '../engine/adam.js';
import { TrainSession } from '../engine/train-session.js';
import { buildTrainingStepGraph } from '../graph/training.js';
import { siameseLayers, siameseSpec, unetLayers, unetSpec } from '../model/description.js';
import { initParameters } from '../model/init.js';
import { type ModelMetadata, saveModel, unetParameterSpecs } from '../model/weights.js';
import { AutocmError } from '../util/errors.js';
import { firstNonFinite } from './finite.js';
import { prepareOutputFolder } from '../util/output-folder.js';
import { progressBar } from '../util/progress.js';
import { createRandom } from '../util/random.js';
import { version } from '../version.js';
import { checkpointPathFor, loadCheckpoint, saveCheckpoint, type TrainingState } from './checkpoint.js';
import type { TrainConfig } from './config.js';
import { type InitLineage, loadInitWeights } from './init-model.js';
import { planCrops } from './crops.js';
import { type StepLog, appendStepLog, logPathFor, readStepLog, writeStepLog } from './log.js';
import { planPacks } from './pack-plan.js';
import { PackSampler } from './packs.js';
import { type DataSummary, writeTrainingReport } from './report.js';
import type { TrainingScene } from './scene.js';

export interface TrainRunOptions {
  config: TrainConfig;
  scenes: TrainingScene[];
  data: DataSummary;
  /** Radiometry guessed for the training images, one line per kind of guess: recorded in the model. */
  radiometryGuesses?: string[];
  /** Final model path (.safetensors); the log, checkpoint and report sit beside it. */
  output: string;
  checkpointEvery: number;
  resume?: string;
  /** Model whose U-Net weights start the run (fine-tuning); the Siamese net starts fresh. */
  init?: string;
  /** Undated images are packed by index instead of refused (config.maxSpanDays becomes null). */
  allowUndated?: boolean;
  threads?: number;
  quiet?: boolean;
  warn?: (message: string) => void;
  onStep?: (entry: StepLog) => void;
}

export interface TrainResult {
  output: string;
  checkpoint: string;
  log: StepLog[];
  reportFiles: string[];
  startedAtStep: number;
}

/** The random stream of one step depends only on (seed, step), so a resumed run draws the same samples. */
export function stepRandom(seed: number, step: number) {
  return createRandom(seed * 1_048_576 + step);
}

export function modelMetadata(config: TrainConfig, training: Record<string, unknown>): ModelMetadata {
  return {
    format: 'autocm-model',
    formatVersion: 1,
    autocmVersion: version,
    // A model trained on several sensors ('a+b') is for any sensor with these bands.
    sensor: config.sensor.includes('+') ? null : config.sensor,
    bands: config.bands,
    normalisation: { mode: 'reflectance' },
    architecture: 'autocm-unet',
    inputBands: config.bands.length,
    training,
    source: 'autocm train',
    createdAt: new Date().toISOString(),
  };
}

/** Runs (or resumes) a training run to `config.steps` steps and writes the model and its report. */
export async function train(options: TrainRunOptions): Promise<TrainResult> {
  const { scenes } = options;
  const warn = options.warn ?? ((m: string) => process.stderr.write(`autocm: warning: ${m}\n`));
  const { crop } = options.config;
  if (crop % 8 !== 0 || crop < 8) throw new AutocmError(`--crop ${crop} must be a positive multiple of 8`);
  const packs = planPacks(scenes, options.config.k, { maxSpanDays: options.config.maxSpanDays, allowUndated: options.allowUndated }, warn);
  const config: TrainConfig = { ...options.config, maxSpanDays: packs.maxSpanDays };
  const bands = config.bands.length;
  const smallest = Math.min(...scenes.flatMap((s) => [s.width, s.height]));
  const plan = planCrops(config.crop, Math.min(smallest, 2 * config.crop), config.offsetGrid);
  if (plan.offsets.length === 1) warn(`the scenes (${smallest} px) leave no room to shift crop2 for crop ${config.crop}: every overlap ratio is 1`);
  const sampler = new PackSampler(scenes, config.k, plan, { starts: packs.starts, minValid: config.minValid });

  const graph = buildTrainingStepGraph({
    bands,
    k: config.k,
    crop: config.crop,
    spatialWeight: config.spatialWeight,
    temporalWeight: config.temporalWeight,
    margin: config.margin,
  });
  const shapes = new Map(graph.parameters.map((p) => [p.name, p.shape]));
  const trainable = graph.parameters.filter((p) => p.trainable).map((p) => [p.name, p.shape.reduce((a, b) => a * b, 1)] as [string, number]);
  const outputFolder = dirname(resolve(options.output));
  await prepareOutputFolder(outputFolder, 'output folder');
  const checkpoint = checkpointPathFor(options.output);
  const logPath = logPathFor(options.output);

  let state: TrainingState;
  let log: StepLog[];
  let init: InitLineage | undefined;
  let initial: Map<string, Float32Array> | undefined;
  if (options.init) {
    const loaded = await loadInitWeights(options.init, config.bands);
    init = loaded.lineage;
    if (!options.resume) initial = loaded.params;
  }
  if (options.resume) {
    state = await loadCheckpoint(options.resume, config, shapes);
    if (state.adam.m.size < trainable.length) {
      warn(`${options.resume}: the checkpoint has no Adam moments for ${trainable.length - state.adam.m.size} of ${trainable.length} parameters: the optimiser restarts from zero moments (the first steps after resuming move like a fresh start)`);
      state.adam = createAdamState(trainable);
    }
    log = await readStepLog(logPath, state.step);
  } else {
    const params = new Map([
      ...(initial ?? initParameters(unetLayers(unetSpec(bands)), config.seed)),
      ...initParameters(siameseLayers(siameseSpec(bands)), config.seed + 1),
    ]);
    state = { step: 0, params, adam: createAdamState(trainable) };
    log = [];
  }
  const startedAtStep = state.step;
  const adam: AdamState = state.adam;
  const adamOptions = { learningRate: config.learningRate, beta1: config.beta1, beta2: config.beta2, epsilon: config.epsilon };
  const metadata = modelMetadata(config, { config, ...(init ? { init } : {}) });
  let lastCheckpointStep = options.resume ? state.step : -1;

  const session = await TrainSession.create(graph, { threads: options.threads });
  const bar = progressBar('train', config.steps, { quiet: options.quiet });
  // A new run's log reaches the disk with its first checkpoint: a failure or signal before that
  // leaves no log of a model never written (a log nothing could resume). Resuming appends.
  let logOnDisk = Boolean(options.resume);
  try {
    while (state.step < config.steps) {
      const step = state.step + 1;
      const started = performance.now();
      const sample = await sampler.sample(stepRandom(config.seed, step));
      const out = await session.run(state.params, sample.inputs);
      const losses = out.losses;
      if (![...losses.values()].every(Number.isFinite)) {
        throw new AutocmError(
          `the loss became ${losses.get('loss')} at step ${step} (rec ${losses.get('rec')}, spatial ${losses.get('spatial')}, temporal ${losses.get('temporal')}); ` +
            (lastCheckpointStep >= 0 ? `the last good checkpoint is ${checkpoint} (step ${lastCheckpointStep})` : 'no checkpoint was written yet'),
        );
      }
      // A NaN or infinite gradient (or BN moving statistic) would poison the weights and every
      // checkpoint after it: fail here, before anything is applied or saved.
      const badGradient = firstNonFinite(out.gradients);
      const bad = badGradient ?? firstNonFinite(out.moving);
      if (bad) {
        throw new AutocmError(
          `${badGradient ? 'the gradient' : 'a batch-norm moving statistic'} became ${bad.value} at step ${step} (${bad.name}[${bad.index}]) with a finite loss ${losses.get('loss')}; the weights were not updated; ` +
            (lastCheckpointStep >= 0 ? `the last good checkpoint is ${checkpoint} (step ${lastCheckpointStep})` : 'no checkpoint was written yet'),
        );
      }
      adamStep(adamOptions, adam, state.params, out.gradients);
      for (const [name, values] of out.moving) state.params.set(name, values);
      const badWeight = firstNonFinite(state.params);
      if (badWeight) {
        throw new AutocmError(
          `a weight became ${badWeight.value} at step ${step} (${badWeight.name}[${badWeight.index}]); nothing of this step is saved; ` +
            (lastCheckpointStep >= 0 ? `the last good checkpoint is ${checkpoint} (step ${lastCheckpointStep})` : 'no checkpoint was written yet'),
        );
      }
      state.step = step;
      const entry: StepLog = {
        step,
        loss: losses.get('loss')!,
        rec: losses.get('rec')!,
        spatial: losses.get('spatial')!,
        temporal: losses.get('temporal')!,
        seconds: (performance.now() - started) / 1000,
      };
      log.push(entry);
      // A new run replaces an earlier run's log and checkpoint only once it has a step of its own,
      // so a run that fails before (bad data, no memory) leaves nothing beside the model path.
      if (step === 1 && !options.resume) await Promise.all([rm(logPath, { force: true }), rm(checkpoint, { force: true })]);
      if (logOnDisk) await appendStepLog(logPath, entry);
      options.onStep?.(entry);
      bar.update(step, `loss ${entry.loss.toFixed(5)} rec ${entry.rec.toFixed(5)} sp ${entry.spatial.toFixed(4)} tp ${entry.temporal.toFixed(4)}`);
      if (step % options.checkpointEvery === 0 || step === config.steps) {
        await saveCheckpoint(checkpoint, metadata, config, state, shapes);
        lastCheckpointStep = step;
        if (!logOnDisk) await writeStepLog(logPath, log);
        logOnDisk = true;
      }
    }
  } finally {
    bar.stop();
    await session.release();
  }

  const unetNames = unetParameterSpecs(bands);
  const training = {
    config,
    ...(init ? { init } : {}),
    steps: state.step,
    data: options.data,
    finalLosses: log.length ? log[log.length - 1] : null,
  };
  await saveModel(options.output, {
    metadata: { ...modelMetadata(config, training), ...(options.radiometryGuesses?.length ? { radiometryGuesses: options.radiometryGuesses } : {}) },
    tensors: new Map(unetNames.map((p) => [p.name, state.params.get(p.name)!])),
    shapes: new Map(unetNames.map((p) => [p.name, p.shape])),
  });
  const reportFiles = await writeTrainingReport(options.output, config, options.data, log, {
    startedAtStep,
    checkpoint,
    packs: { maxSpanDays: packs.maxSpanDays, rule: packs.spanNote, startsPerEpoch: packs.startsPerEpoch },
  });
  return { output: options.output, checkpoint, log, reportFiles, startedAtStep };
}
