import { type UNetSpec, unetSpec } from '../model/description.js';
import { type ModelFile } from '../model/weights.js';
import { GraphBuilder, type Dim } from './builder.js';
import { type BatchNormStyle, type TransposedConvStyle, emitInferenceLayers } from './layers.js';

export interface InferenceGraphOptions {
  /** Fixed sizes, or names of symbolic dimensions (default symbolic 'N', 'H', 'W'). */
  batch?: number | string;
  height?: number | string;
  width?: number | string;
  batchNorm?: BatchNormStyle;
  transposedConv?: TransposedConvStyle;
  /** Extra strings stored in the ONNX model's metadata_props. */
  metadata?: Record<string, string>;
}

/**
 * The masking U-Net as an ONNX inference model: input `image` [N, bands, H, W] (NCHW, already
 * normalised; H and W multiples of 8), outputs `mask` [N, 1, H, W] (sigmoid probability) and
 * `brightness` [N, bands]. `params` holds the weights in Keras layout under our names.
 */
export function buildInferenceGraph(spec: UNetSpec, params: Map<string, Float32Array>, options: InferenceGraphOptions = {}): Uint8Array {
  const param = (name: string): Float32Array => {
    const value = params.get(name);
    if (!value) throw new Error(`missing parameter ${name}`);
    return value;
  };
  const bn = { batchNorm: options.batchNorm, transposedConv: options.transposedConv };
  const n: Dim = options.batch ?? 'N';
  const h: Dim = options.height ?? 'H';
  const w: Dim = options.width ?? 'W';
  for (const [label, dim] of [['height', h], ['width', w]] as const) {
    if (typeof dim === 'number' && (dim < 8 || dim % 8 !== 0)) throw new Error(`${label} ${dim} is not a positive multiple of 8`);
  }

  const g = new GraphBuilder('autocm_unet');
  const image = g.input('image', [n, spec.bands, h, w]);

  const [down0, down1, down2] = spec.down as [UNetSpec['down'][0], UNetSpec['down'][0], UNetSpec['down'][0]];
  const [up0, up1] = spec.up as [UNetSpec['up'][0], UNetSpec['up'][0]];
  const d0 = emitInferenceLayers(g, down0.layers, param, image, bn);
  const d1 = emitInferenceLayers(g, down1.layers, param, d0, bn);
  const d2 = emitInferenceLayers(g, down2.layers, param, d1, bn);
  // Concat order is [upsampled, skip] (README subtlety 5).
  const u0 = g.op('Concat', [emitInferenceLayers(g, up0.layers, param, d2, bn), d1], { axis: 1 });
  const x = g.op('Concat', [emitInferenceLayers(g, up1.layers, param, u0, bn), d0], { axis: 1 });

  g.op('Identity', [emitInferenceLayers(g, spec.maskHead.layers, param, x, bn)], {}, 'mask');
  g.output('mask', [n, 1, h, w]);

  // Brightness: global max over the whole (padded) H/2 x W/2 extent of x, then 1x1 convs.
  const pooled = g.op('ReduceMax', [x], { axes: [2, 3], keepdims: 1 });
  const head = emitInferenceLayers(g, spec.brightnessHead.layers, param, pooled, bn);
  g.op('Flatten', [head], { axis: 1 }, 'brightness');
  g.output('brightness', [n, spec.bands]);
  return g.toBytes(options.metadata);
}


/**
 * The ONNX file of a model (dynamic N, H, W unless fixed): what `autocm model export-onnx` writes
 * and the viewer serves. The autocm metadata travels along as metadata_props `autocm`.
 */
export function modelToOnnx(model: ModelFile, options: Omit<InferenceGraphOptions, 'metadata'> = {}): Uint8Array {
  return buildInferenceGraph(unetSpec(model.metadata.inputBands), model.tensors, { ...options, metadata: { autocm: JSON.stringify(model.metadata) } });
}
