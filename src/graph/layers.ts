import { BN_EPSILON, type ConvSpec } from '../model/description.js';
import { type GraphBuilder } from './builder.js';

/**
 * Keras-exact emission of one U-Net layer, `y = BN(act(conv(x) + b))`, into an ONNX graph (NCHW),
 * with the weights as constants. The semantics (../shared/reference/README.md):
 * - TF 'same' padding. Input sizes are multiples of 8, so every size a layer sees is even, and the
 *   pads are fixed: 3x3 stride 1 -> 1 on each side; 3x3 stride 2 -> 0 top/left, 1 bottom/right;
 *   1x1 -> none. So one graph serves every (even) size.
 * - Conv2DTranspose(3, stride 2, 'same') is the gradient of that stride-2 conv: the scatter
 *   out[2i+k] += in[i] * K[k] (no kernel flip), dropping what lands on row/column 2H. That is ONNX
 *   ConvTranspose (which scatters the same way) with pads begin 0, end 1 and no output_padding,
 *   or, faster on ONNX Runtime CPU, a 2x2 sub-pixel conv + DepthToSpace (`subpixelTransposedKernel`).
 * - relu inside the conv, BN after it, as a per-channel affine with epsilon 1e-3: it cannot be
 *   folded into the conv before it (relu sits between) nor into a following 3x3 conv (its zero
 *   padding applies to BN outputs); only into a following 1x1 conv (`emitInferenceLayers`).
 */

/** ONNX pads [top, left, bottom, right] of TF 'same' padding on even input sizes. */
export function samePadsEven(kernelSize: number, stride: number): number[] {
  const total = Math.max(kernelSize - stride, 0);
  const before = Math.floor(total / 2);
  return [before, before, total - before, total - before];
}

/** Pads of the transposed conv (stride 2, 3x3) that make ONNX ConvTranspose equal TF's: output exactly 2H. */
export function transposedConvPads(kernelSize: number, stride: number): number[] {
  // ONNX: out = stride*(in-1) + kernel - begin - end; TF 'same': out = stride*in, extra rows cut at the end.
  const end = kernelSize - stride;
  return [0, 0, end, end];
}

/**
 * Keras kernel -> ONNX weight. Conv [kh,kw,in,out] -> [out,in,kh,kw]; ConvTranspose
 * [kh,kw,out,in] -> [in,out,kh,kw]: the same permutation [3,2,0,1] for both.
 */
export function kerasKernelToOnnx(kernel: Float32Array, kerasShape: readonly number[]): { data: Float32Array; dims: number[] } {
  const [kh, kw, c2, c3] = kerasShape as [number, number, number, number];
  if (kernel.length !== kh * kw * c2 * c3) throw new Error(`kernel has ${kernel.length} values, shape [${kerasShape}]`);
  const data = new Float32Array(kernel.length);
  for (let y = 0; y < kh; y++)
    for (let x = 0; x < kw; x++)
      for (let a = 0; a < c2; a++)
        for (let b = 0; b < c3; b++) data[((b * c2 + a) * kh + y) * kw + x] = kernel[((y * kw + x) * c2 + a) * c3 + b]!;
  return { data, dims: [c3, c2, kh, kw] };
}

/** Inference BN as y = scale * x + shift, computed in float64: scale = gamma / sqrt(var + eps), shift = beta - mean * scale. */
export function batchNormAffine(
  gamma: Float32Array,
  beta: Float32Array,
  mean: Float32Array,
  variance: Float32Array,
  epsilon = BN_EPSILON,
): { scale: Float32Array; shift: Float32Array } {
  const scale = new Float32Array(gamma.length);
  const shift = new Float32Array(gamma.length);
  for (let c = 0; c < gamma.length; c++) {
    const a = gamma[c]! / Math.sqrt(variance[c]! + epsilon);
    scale[c] = a;
    shift[c] = beta[c]! - mean[c]! * a;
  }
  return { scale, shift };
}

/**
 * The Keras transposed conv (3x3, stride 2) as a sub-pixel conv: output row 2m+py and column
 * 2n+px (phase p = 2*py + px) only ever read input rows m-1, m and columns n-1, n, so one 2x2 conv
 * (pads 1 top/left, 0 bottom/right) with 4*out channels computes all four phases, and
 * DepthToSpace (DCR) interleaves them. Taps by phase: even rows take ky=2 from row m-1 and ky=0
 * from row m; odd rows ky=1 from row m (likewise for columns). Exact, and it runs on ONNX
 * Runtime's fast (NCHWc) conv path, unlike ConvTranspose.
 * Keras kernel [3,3,out,in] -> ONNX Conv weight [4*out, in, 2, 2].
 */
export function subpixelTransposedKernel(kernel: Float32Array, outChannels: number, inChannels: number): { data: Float32Array; dims: number[] } {
  if (kernel.length !== 9 * outChannels * inChannels) throw new Error(`transposed kernel has ${kernel.length} values, expected 3x3x${outChannels}x${inChannels}`);
  // Which Keras tap feeds window position r (0: row m-1, 1: row m) in phase 0 (even) and 1 (odd); -1: none.
  const tap = [
    [2, 0],
    [-1, 1],
  ];
  const data = new Float32Array(4 * outChannels * inChannels * 4);
  for (let py = 0; py < 2; py++)
    for (let px = 0; px < 2; px++)
      for (let o = 0; o < outChannels; o++)
        for (let c = 0; c < inChannels; c++)
          for (let r = 0; r < 2; r++)
            for (let s = 0; s < 2; s++) {
              const ky = tap[py]![r]!;
              const kx = tap[px]![s]!;
              if (ky < 0 || kx < 0) continue;
              data[((((py * 2 + px) * outChannels + o) * inChannels + c) * 2 + r) * 2 + s] = kernel[((ky * 3 + kx) * outChannels + o) * inChannels + c]!;
            }
  return { data, dims: [4 * outChannels, inChannels, 2, 2] };
}

/** `values` repeated `times` times (per-channel parameters of the four sub-pixel phases). */
function tile(values: Float32Array, times: number): Float32Array {
  const out = new Float32Array(values.length * times);
  for (let i = 0; i < times; i++) out.set(values, i * values.length);
  return out;
}

/** How a transposed conv is written: sub-pixel Conv + DepthToSpace (fast on ORT CPU), or ONNX ConvTranspose. */
export type TransposedConvStyle = 'subpixel' | 'convtranspose';

/** How inference BN is written: ONNX BatchNormalization, or an explicit Mul + Add with [C,1,1] constants. */
export type BatchNormStyle = 'batchnorm' | 'affine';

export type ParameterLookup = (name: string) => Float32Array;

/** Emits one layer on NCHW input `x`; returns the output value's name. */
export interface LayerStyle {
  batchNorm?: BatchNormStyle;
  transposedConv?: TransposedConvStyle;
}

export function emitInferenceLayer(g: GraphBuilder, layer: ConvSpec, param: ParameterLookup, x: string, style: LayerStyle = {}): string {
  const bnStyle = style.batchNorm ?? 'batchnorm';
  if (layer.type === 'tconv' && (style.transposedConv ?? 'subpixel') === 'subpixel') return emitSubpixelLayer(g, layer, param, x, bnStyle);
  const k = layer.kernelSize;
  const kerasShape = layer.type === 'conv' ? [k, k, layer.inChannels, layer.outChannels] : [k, k, layer.outChannels, layer.inChannels];
  const weight = kerasKernelToOnnx(param(`${layer.name}.kernel`), kerasShape);
  const w = g.constFloat(`${layer.name}.weight`, weight.data, weight.dims);
  const b = g.constFloat(`${layer.name}.bias`, param(`${layer.name}.bias`));
  const attributes = {
    kernel_shape: [k, k],
    strides: [layer.stride, layer.stride],
    pads: layer.type === 'conv' ? samePadsEven(k, layer.stride) : transposedConvPads(k, layer.stride),
  };
  const z = g.op(layer.type === 'conv' ? 'Conv' : 'ConvTranspose', [x, w, b], attributes);
  const activated = g.op(layer.activation === 'relu' ? 'Relu' : 'Sigmoid', [z]);
  if (!layer.batchNorm) return activated;

  return emitBatchNorm(g, layer.batchNorm, param, activated, bnStyle, 1);
}

/** Inference BN of `x`; with `repeat` > 1 the channels are `repeat` copies of the BN's channels. */
function emitBatchNorm(g: GraphBuilder, bn: string, param: ParameterLookup, x: string, bnStyle: BatchNormStyle, repeat: number): string {
  const p = (attribute: string) => tile(param(`${bn}.${attribute}`), repeat);
  if (bnStyle === 'batchnorm') {
    return g.op('BatchNormalization', [
      x,
      g.constFloat(`${bn}.gamma`, p('gamma')),
      g.constFloat(`${bn}.beta`, p('beta')),
      g.constFloat(`${bn}.moving_mean`, p('moving_mean')),
      g.constFloat(`${bn}.moving_variance`, p('moving_variance')),
    ], { epsilon: { float: BN_EPSILON } });
  }
  const { scale, shift } = batchNormAffine(p('gamma'), p('beta'), p('moving_mean'), p('moving_variance'));
  const scaled = g.op('Mul', [x, g.constFloat(`${bn}.scale`, scale, [scale.length, 1, 1])]);
  return g.op('Add', [scaled, g.constFloat(`${bn}.shift`, shift, [shift.length, 1, 1])]);
}

/** The transposed conv layer as sub-pixel conv; relu and BN act per channel, so they run before the interleave. */
function emitSubpixelLayer(g: GraphBuilder, layer: ConvSpec, param: ParameterLookup, x: string, bnStyle: BatchNormStyle): string {
  if (layer.kernelSize !== 3 || layer.stride !== 2) throw new Error(`${layer.name}: sub-pixel form needs a 3x3 stride-2 transposed conv`);
  const weight = subpixelTransposedKernel(param(`${layer.name}.kernel`), layer.outChannels, layer.inChannels);
  const w = g.constFloat(`${layer.name}.weight`, weight.data, weight.dims);
  const b = g.constFloat(`${layer.name}.bias`, tile(param(`${layer.name}.bias`), 4));
  const z = g.op('Conv', [x, w, b], { kernel_shape: [2, 2], strides: [1, 1], pads: [1, 1, 0, 0] });
  let y = g.op(layer.activation === 'relu' ? 'Relu' : 'Sigmoid', [z]);
  if (layer.batchNorm) y = emitBatchNorm(g, layer.batchNorm, param, y, bnStyle, 4);
  return g.op('DepthToSpace', [y], { blocksize: 2, mode: 'DCR' });
}

/**
 * Emits a chain of layers. A BN followed by a 1x1 conv is folded into that conv (exact: a 1x1 conv
 * has no padding, so conv(a*r + c) = conv_{K*a}(r) + (b + K.c)); other BNs stay in place.
 */
export function emitInferenceLayers(g: GraphBuilder, layers: ConvSpec[], param: ParameterLookup, x: string, style: LayerStyle = {}): string {
  let value = x;
  let lookup = param;
  layers.forEach((layer, i) => {
    const next = layers[i + 1];
    if (layer.batchNorm && next && next.type === 'conv' && next.kernelSize === 1 && next.stride === 1) {
      value = emitInferenceLayer(g, { ...layer, batchNorm: null }, lookup, value, style);
      lookup = foldBatchNormIntoPointwise(layer.batchNorm, next, lookup);
    } else {
      value = emitInferenceLayer(g, layer, lookup, value, style);
      lookup = param;
    }
  });
  return value;
}

/** Parameter lookup where the 1x1 conv `next` absorbs the inference BN `bn` that precedes it. */
function foldBatchNormIntoPointwise(bn: string, next: ConvSpec, param: ParameterLookup): ParameterLookup {
  const { scale, shift } = batchNormAffine(param(`${bn}.gamma`), param(`${bn}.beta`), param(`${bn}.moving_mean`), param(`${bn}.moving_variance`));
  const kernel = param(`${next.name}.kernel`); // [1, 1, in, out]
  const bias = param(`${next.name}.bias`);
  const foldedKernel = new Float32Array(kernel.length);
  const foldedBias = new Float32Array(bias.length);
  for (let o = 0; o < next.outChannels; o++) {
    let sum = bias[o]!;
    for (let c = 0; c < next.inChannels; c++) {
      const k = kernel[c * next.outChannels + o]!;
      foldedKernel[c * next.outChannels + o] = k * scale[c]!;
      sum += k * shift[c]!;
    }
    foldedBias[o] = sum;
  }
  return (name) => (name === `${next.name}.kernel` ? foldedKernel : name === `${next.name}.bias` ? foldedBias : param(name));
}
