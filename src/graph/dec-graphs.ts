import { GraphBuilder } from './builder.js';
import { type Value, Tape } from './autodiff.js';
import type { ParameterSpec } from '../model/description.js';
import type { TrainingGraph } from './training.js';
import { add, div, log, mul, relu, square, sub } from './ops/elementwise.js';
import { reduceMean, reduceSum } from './ops/reduce.js';
import { matmul, reshape } from './ops/shape.js';

/**
 * DEC's networks (Xie, Girshick and Farhadi 2016) as training graphs through the project's
 * differentiator: a stacked autoencoder on per-pixel feature rows (dense layers as MatMul + bias,
 * ReLU between, linear embedding and linear reconstruction), and DEC's clustering objective on the
 * encoder (Student's t soft assignment to k centroids, KL(P || Q) against a target P fed as input).
 */

export interface DecNetworkSpec {
  /** Widths from the input to the embedding, e.g. [12, 32, 32, 4]. */
  encoder: number[];
}

export const layerName = (part: 'enc' | 'dec', i: number) => `${part}${i}`;

/** Decoder widths: the encoder mirrored. */
export const decoderWidths = (spec: DecNetworkSpec) => [...spec.encoder].reverse();

export function decParameterSpecs(spec: DecNetworkSpec, part: 'enc' | 'dec'): ParameterSpec[] {
  const widths = part === 'enc' ? spec.encoder : decoderWidths(spec);
  return widths.slice(1).flatMap((out, i) => [
    { name: `${layerName(part, i)}.kernel`, shape: [widths[i]!, out], role: 'kernel' as const, trainable: true },
    { name: `${layerName(part, i)}.bias`, shape: [out], role: 'bias' as const, trainable: true },
  ]);
}

function dense(tape: Tape, params: Map<string, Value>, part: 'enc' | 'dec', layers: number, x: Value): Value {
  let h = x;
  for (let i = 0; i < layers; i++) {
    h = add(tape, matmul(tape, h, params.get(`${layerName(part, i)}.kernel`)!), params.get(`${layerName(part, i)}.bias`)!);
    if (i < layers - 1) h = relu(tape, h);
  }
  return h;
}

function declare(tape: Tape, specs: ParameterSpec[]): Map<string, Value> {
  return new Map(specs.map((p) => [p.name, tape.input(p.name, p.shape, true)]));
}

function gradientOutputs(tape: Tape, loss: Value, specs: ParameterSpec[], params: Map<string, Value>): Map<string, string> {
  const grads = tape.backward(loss, specs.map((p) => params.get(p.name)!));
  const outputs = new Map<string, string>();
  for (const p of specs) {
    tape.output(grads.get(p.name)!, `grad.${p.name}`);
    outputs.set(p.name, `grad.${p.name}`);
  }
  return outputs;
}

/** Reconstruction phase: loss = mean over the batch and features of (decoder(encoder(x)) - x)^2. */
export function buildAutoencoderGraph(spec: DecNetworkSpec, batch: number): TrainingGraph {
  const specs = [...decParameterSpecs(spec, 'enc'), ...decParameterSpecs(spec, 'dec')];
  const tape = new Tape(new GraphBuilder('autocm_dec_autoencoder'));
  const params = declare(tape, specs);
  const dim = spec.encoder[0]!;
  const x = tape.input('x', [batch, dim]);
  const layers = spec.encoder.length - 1;
  const z = dense(tape, params, 'enc', layers, x);
  const y = dense(tape, params, 'dec', layers, z);
  const loss = reshape(tape, reduceMean(tape, square(tape, sub(tape, y, x)), [0, 1]), [1]);
  tape.output(loss, 'loss');
  const grads = gradientOutputs(tape, loss, specs, params);
  return {
    bytes: tape.builder.toBytes(),
    parameters: specs,
    dataInputs: [{ name: 'x', shape: [batch, dim] }],
    lossOutputs: ['loss'],
    gradientOutputs: grads,
    movingOutputs: new Map(),
  };
}

/**
 * Clustering phase: z = encoder(x); q_ij = (1 + |z_i - mu_j|^2)^-1 / sum_j' (...) (Student's t,
 * alpha = 1); loss = mean_i sum_j p_ij (log p_ij - log q_ij) = KL(P || Q) per point, with P an
 * input (the target distribution, held fixed between updates). Gradients for the encoder and the
 * centroids `mu` [k, embedding]; `q` is an output.
 */
export function buildClusteringGraph(spec: DecNetworkSpec, batch: number, k: number): TrainingGraph {
  const embed = spec.encoder[spec.encoder.length - 1]!;
  const specs: ParameterSpec[] = [...decParameterSpecs(spec, 'enc'), { name: 'mu', shape: [k, embed], role: 'kernel', trainable: true }];
  const tape = new Tape(new GraphBuilder('autocm_dec_clustering'));
  const params = declare(tape, specs);
  const dim = spec.encoder[0]!;
  const x = tape.input('x', [batch, dim]);
  const p = tape.input('p', [batch, k]);
  const z = dense(tape, params, 'enc', spec.encoder.length - 1, x);
  const diff = sub(tape, reshape(tape, z, [batch, 1, embed]), reshape(tape, params.get('mu')!, [1, k, embed]));
  const d2 = reshape(tape, reduceSum(tape, square(tape, diff), [2]), [batch, k]);
  const kernel = div(tape, tape.scalar(1), add(tape, d2, tape.scalar(1)));
  const q = div(tape, kernel, reduceSum(tape, kernel, [1]));
  const logP = tape.emit('Log', [tape.emit('Add', [p, tape.scalar(1e-12)], p.shape)], p.shape);
  const kl = reduceSum(tape, mul(tape, p, sub(tape, logP, log(tape, q))), [0, 1]);
  const loss = reshape(tape, mul(tape, kl, tape.scalar(1 / batch)), [1]);
  tape.output(loss, 'loss');
  tape.output(q, 'q');
  const grads = gradientOutputs(tape, loss, specs, params);
  return {
    bytes: tape.builder.toBytes(),
    parameters: specs,
    dataInputs: [
      { name: 'x', shape: [batch, dim] },
      { name: 'p', shape: [batch, k] },
    ],
    lossOutputs: ['loss'],
    gradientOutputs: grads,
    movingOutputs: new Map(),
  };
}
