import { GraphBuilder } from './builder.js';
import { type Tape as TapeType, type Value, Tape } from './autodiff.js';
import { type ParameterSpec, type SiameseSpec, type UNetSpec, BN_MOMENTUM, parameterSpecs, siameseLayers, siameseSpec, unetLayers, unetSpec } from '../model/description.js';
import { type BatchStat, ParameterValues, emitSiameseEncoder, emitSimilarity, emitUNet } from './training-networks.js';
import { SIMILARITY_PAIRS, emitComposite, emitSimilarityLosses } from './training-losses.js';
import { add, mul } from './ops/elementwise.js';
import { concat } from './ops/shape.js';

/** The five U-Net passes of a training step, in the order of METHOD.md. */
export const PASSES = ['p1c1', 'p2c1', 'p1c2', 'p2c2', 'p3c1'] as const;
export type PassName = (typeof PASSES)[number];

export interface StepGraphOptions {
  bands: number;
  /** Images per pack. */
  k: number;
  /** Crop side (multiple of 8). */
  crop: number;
  spatialWeight: number;
  temporalWeight: number;
  margin: number;
}

/** A training graph: ONNX bytes plus the names the session feeds and reads. */
export interface TrainingGraph {
  bytes: Uint8Array;
  /** Every parameter input (trainable and moving statistics), Keras layout. */
  parameters: ParameterSpec[];
  /** Data inputs with their shapes. */
  dataInputs: { name: string; shape: number[] }[];
  /** Scalar loss outputs ([1] each). */
  lossOutputs: string[];
  /** `grad.<param>` for every trainable parameter. */
  gradientOutputs: Map<string, string>;
  /** `next.<param>` moving statistics after this step's BN updates. */
  movingOutputs: Map<string, string>;
}

function declareParameters(tape: TapeType, specs: ParameterSpec[]): Map<string, Value> {
  return new Map(specs.map((p) => [p.name, tape.input(p.name, p.shape, p.trainable)]));
}

/**
 * Keras BN moving averages, in call order: moving = m*moving + (1-m)*batch. The variance update
 * uses the unbiased batch variance (n/(n-1)), as TF2 Keras' fused BN kernel does; normalisation
 * itself uses the biased variance.
 */
function emitMovingUpdates(tape: TapeType, params: Map<string, Value>, stats: BatchStat[]): Map<string, string> {
  const current = new Map<string, Value>();
  for (const s of stats) {
    for (const [role, batch, correction] of [
      ['moving_mean', s.mean, 1],
      ['moving_variance', s.variance, s.count > 1 ? s.count / (s.count - 1) : 1],
    ] as const) {
      const name = `${s.bn}.${role}`;
      const previous = current.get(name) ?? params.get(name)!;
      const decayed = tape.emit('Mul', [previous, tape.scalar(BN_MOMENTUM)], previous.shape);
      const fresh = tape.emit('Mul', [batch, tape.scalar((1 - BN_MOMENTUM) * correction)], previous.shape);
      current.set(name, tape.emit('Add', [decayed, fresh], previous.shape));
    }
  }
  const outputs = new Map<string, string>();
  for (const [name, value] of current) {
    tape.output(value, `next.${name}`);
    outputs.set(name, `next.${name}`);
  }
  return outputs;
}

function emitGradients(tape: TapeType, loss: Value, specs: ParameterSpec[], params: Map<string, Value>): Map<string, string> {
  const trainable = specs.filter((p) => p.trainable);
  const grads = tape.backward(loss, trainable.map((p) => params.get(p.name)!));
  const outputs = new Map<string, string>();
  for (const p of trainable) {
    tape.output(grads.get(p.name)!, `grad.${p.name}`);
    outputs.set(p.name, `grad.${p.name}`);
  }
  return outputs;
}

/**
 * The whole METHOD.md step as one graph: five U-Net passes on K x B x crop x crop packs, their
 * composites and reconstruction losses, the Siamese net once on the five composites (batch 5) and
 * its head once on the four pairs (batch 4), the losses, every gradient and the BN updates.
 */
export function buildTrainingStepGraph(options: StepGraphOptions): TrainingGraph {
  const { bands, k, crop } = options;
  const unet: UNetSpec = unetSpec(bands);
  const siamese: SiameseSpec = siameseSpec(bands);
  const specs = [...parameterSpecs(unetLayers(unet)), ...parameterSpecs(siameseLayers(siamese))];
  const tape = new Tape(new GraphBuilder('autocm_training_step'));
  const params = declareParameters(tape, specs);
  const values = new ParameterValues(tape, params);
  const stats: BatchStat[] = [];
  const dataInputs: { name: string; shape: number[] }[] = [];
  const recLosses: Value[] = [];
  const composites: Value[] = [];
  for (const pass of PASSES) {
    const x = tape.input(pass, [k, bands, crop, crop]);
    const valid = tape.input(`valid.${pass}`, [k, 1, crop, crop]);
    dataInputs.push({ name: pass, shape: [k, bands, crop, crop] }, { name: `valid.${pass}`, shape: [k, 1, crop, crop] });
    const { mask, brightness } = emitUNet(tape, unet, values, x, stats);
    const { composite, loss } = emitComposite(tape, x, valid, mask, brightness);
    recLosses.push(loss);
    composites.push(composite);
  }
  const targets = tape.input('similarity_target', [4]);
  dataInputs.push({ name: 'similarity_target', shape: [4] });
  const rec = mul(tape, recLosses.reduce((a, b) => add(tape, a, b)), tape.scalar(1 / PASSES.length));
  const embeddings = emitSiameseEncoder(tape, siamese, values, concat(tape, composites, 0), stats);
  const similarity = emitSimilarity(tape, siamese, values, embeddings, SIMILARITY_PAIRS, stats);
  const { spatial, temporal } = emitSimilarityLosses(tape, similarity, targets, options.margin);
  const loss = add(
    tape,
    add(tape, rec, mul(tape, spatial, tape.scalar(options.spatialWeight))),
    mul(tape, temporal, tape.scalar(options.temporalWeight)),
  );
  const lossOutputs = ['loss', 'rec', 'spatial', 'temporal'];
  [loss, rec, spatial, temporal].forEach((v, i) => tape.output(v, lossOutputs[i]!));
  tape.output(similarity, 'similarity');
  const gradientOutputs = emitGradients(tape, loss, specs, params);
  const movingOutputs = emitMovingUpdates(tape, params, stats);
  return { bytes: tape.builder.toBytes(), parameters: specs, dataInputs, lossOutputs, gradientOutputs, movingOutputs };
}

/**
 * One U-Net pass with its reconstruction loss and gradients (the unit the benchmark times and
 * the gradient tests check): inputs x [K,B,H,W] and valid [K,1,H,W].
 */
export function buildUNetPassGraph(options: { bands: number; k: number; height: number; width: number }): TrainingGraph {
  const { bands, k, height, width } = options;
  const unet = unetSpec(bands);
  const specs = parameterSpecs(unetLayers(unet));
  const tape = new Tape(new GraphBuilder('autocm_unet_pass'));
  const params = declareParameters(tape, specs);
  const stats: BatchStat[] = [];
  const x = tape.input('x', [k, bands, height, width]);
  const valid = tape.input('valid', [k, 1, height, width]);
  const { mask, brightness } = emitUNet(tape, unet, new ParameterValues(tape, params), x, stats);
  const { loss } = emitComposite(tape, x, valid, mask, brightness);
  tape.output(loss, 'loss');
  tape.output(mask, 'mask');
  tape.output(brightness, 'brightness');
  const gradientOutputs = emitGradients(tape, loss, specs, params);
  const movingOutputs = emitMovingUpdates(tape, params, stats);
  return {
    bytes: tape.builder.toBytes(),
    parameters: specs,
    dataInputs: [
      { name: 'x', shape: [k, bands, height, width] },
      { name: 'valid', shape: [k, 1, height, width] },
    ],
    lossOutputs: ['loss'],
    gradientOutputs,
    movingOutputs,
  };
}
