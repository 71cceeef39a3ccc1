import { type Tape, type Value } from './autodiff.js';
import { type ConvSpec, type SiameseSpec, type UNetSpec, BN_EPSILON } from '../model/description.js';
import { batchNormTraining } from './ops/batchnorm.js';
import { conv2d, convTranspose2d } from './ops/conv.js';
import { relu, sigmoid, square } from './ops/elementwise.js';
import { reduceMax, reduceMean } from './ops/reduce.js';
import { concat, matmul, reshape, transpose } from './ops/shape.js';

/** Batch statistics of one BN call (biased variance over `count` = N*H*W values). */
export interface BatchStat {
  bn: string;
  mean: Value;
  variance: Value;
  count: number;
}

/**
 * The parameters as graph values. Kernels arrive in Keras layout and are transposed once to the
 * ONNX layout (both conv [kh,kw,in,out] and transposed conv [kh,kw,out,in] take perm [3,2,0,1]);
 * the Transpose's backward returns their gradients in Keras layout.
 */
export class ParameterValues {
  private readonly onnxKernels = new Map<string, Value>();
  constructor(
    private readonly tape: Tape,
    readonly values: Map<string, Value>,
  ) {}

  get(name: string): Value {
    const v = this.values.get(name);
    if (!v) throw new Error(`no parameter ${name}`);
    return v;
  }

  kernel(layer: string): Value {
    let k = this.onnxKernels.get(layer);
    if (!k) {
      k = transpose(this.tape, this.get(`${layer}.kernel`), [3, 2, 0, 1]);
      this.onnxKernels.set(layer, k);
    }
    return k;
  }
}

/** One layer: BN(act(conv(x) + b)), BN in training mode. */
export function emitTrainingLayer(tape: Tape, layer: ConvSpec, params: ParameterValues, x: Value, stats: BatchStat[]): Value {
  const w = params.kernel(layer.name);
  const b = params.get(`${layer.name}.bias`);
  const z = layer.type === 'conv' ? conv2d(tape, x, w, b, layer.stride) : convTranspose2d(tape, x, w, b, layer.stride);
  const a = layer.activation === 'relu' ? relu(tape, z) : sigmoid(tape, z);
  if (!layer.batchNorm) return a;
  const bn = batchNormTraining(tape, a, params.get(`${layer.batchNorm}.gamma`), params.get(`${layer.batchNorm}.beta`), BN_EPSILON);
  const [n, , h, w2] = a.shape as number[];
  stats.push({ bn: layer.batchNorm, mean: bn.mean, variance: bn.variance, count: n! * h! * w2! });
  return bn.y;
}

function emitLayers(tape: Tape, layers: ConvSpec[], params: ParameterValues, x: Value, stats: BatchStat[]): Value {
  return layers.reduce((v, layer) => emitTrainingLayer(tape, layer, params, v, stats), x);
}

/** The masking U-Net on x [K, B, H, W]: mask [K,1,H,W] and brightness g [K,B,1,1]. */
export function emitUNet(tape: Tape, spec: UNetSpec, params: ParameterValues, x: Value, stats: BatchStat[]) {
  const [d0, d1, d2] = spec.down.reduce<Value[]>((outs, block) => {
    outs.push(emitLayers(tape, block.layers, params, outs.length ? outs[outs.length - 1]! : x, stats));
    return outs;
  }, []) as [Value, Value, Value];
  const u0 = concat(tape, [emitLayers(tape, spec.up[0]!.layers, params, d2, stats), d1], 1);
  const features = concat(tape, [emitLayers(tape, spec.up[1]!.layers, params, u0, stats), d0], 1);
  const mask = emitLayers(tape, spec.maskHead.layers, params, features, stats);
  const brightness = emitLayers(tape, spec.brightnessHead.layers, params, reduceMax(tape, features, [2, 3]), stats);
  return { mask, brightness };
}

/** Encoder D of the Siamese net on composites [N, B, c, c]: embeddings [N, 16]. */
export function emitSiameseEncoder(tape: Tape, spec: SiameseSpec, params: ParameterValues, composites: Value, stats: BatchStat[]): Value {
  const encoded = spec.encoder.reduce((v, block) => emitLayers(tape, block.layers, params, v, stats), composites);
  const pooled = reduceMean(tape, encoded, [2, 3]);
  const embedded = emitTrainingLayer(tape, spec.embedding, params, pooled, stats);
  return reshape(tape, embedded, [embedded.shape[0]!, embedded.shape[1]!]);
}

/**
 * Similarities of embedding pairs: `pairs` is a [P, N] matrix with +1 on the first and -1 on the
 * second member of each pair, so one MatMul forms every difference D(a) - D(b). The head's BN runs
 * over the P pairs as one batch. Returns s [P].
 */
export function emitSimilarity(tape: Tape, spec: SiameseSpec, params: ParameterValues, embeddings: Value, pairs: number[][], stats: BatchStat[]): Value {
  const count = pairs.length;
  const n = embeddings.shape[0]!;
  const pairMatrix = tape.constant(pairs.flat(), [count, n]);
  const diff = matmul(tape, pairMatrix, embeddings);
  const squared = square(tape, reshape(tape, diff, [count, diff.shape[1]!, 1, 1]));
  const s = emitLayers(tape, spec.head.layers, params, squared, stats);
  return reshape(tape, s, [count]);
}
