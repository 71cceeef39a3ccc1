/**
 * An independent float64 CPU forward of the training step (plain loops, NCHW), the oracle of the
 * gradient tests: Keras-layout weights, TF 'same' padding, transposed conv as a scatter with no
 * kernel flip, relu before BN, BN over N,H,W with epsilon 1e-3, concat [upsampled, skip].
 */
import type { ConvSpec, SiameseSpec, UNetSpec } from '../../src/model/description.js';

export interface T64 {
  shape: number[];
  data: Float64Array;
}

export type Params64 = Map<string, Float64Array>;

export function t64(shape: number[], data?: ArrayLike<number>): T64 {
  const n = shape.reduce((a, b) => a * b, 1);
  return { shape, data: data ? Float64Array.from(data) : new Float64Array(n) };
}

/**
 * `fn` that returns its last result when called again with the very same arguments (objects
 * compared by identity, one remembered call per first argument). A finite difference changes
 * one tensor and passes every other one as the same array, so everything upstream of the
 * change is reused instead of recomputed; nothing here writes to a tensor after making it.
 */
function reusing<A extends [object, ...unknown[]], R>(fn: (...args: A) => R): (...args: A) => R {
  const last = new WeakMap<object, { args: A; result: R }>();
  return (...args: A) => {
    const hit = last.get(args[0]);
    if (hit && hit.args.length === args.length && hit.args.every((a, i) => a === args[i])) return hit.result;
    const result = fn(...args);
    last.set(args[0], { args, result });
    return result;
  };
}

function samePadBefore(n: number, k: number, s: number): number {
  const out = Math.ceil(n / s);
  return Math.floor(Math.max((out - 1) * s + k - n, 0) / 2);
}

/**
 * Conv, kernel [k,k,Cin,Cout] (Keras), TF 'same'. Every output adds bias, then the products in
 * (ky, kx, c) order; the loops run that order outermost and the output row innermost, so each
 * weight is read once per row sweep (the gradient checks spend most of their time here).
 */
export function conv64(x: T64, kernel: Float64Array, bias: Float64Array, k: number, cout: number, stride: number): T64 {
  const [n, cin, h, w] = x.shape as [number, number, number, number];
  const ho = Math.ceil(h / stride);
  const wo = Math.ceil(w / stride);
  const pt = samePadBefore(h, k, stride);
  const pl = samePadBefore(w, k, stride);
  const out = t64([n, cout, ho, wo]);
  const input = x.data;
  const output = out.data;
  // Output rows/columns whose input index i * stride + offset lies inside [0, size).
  const first = (offset: number) => Math.max(0, Math.ceil(-offset / stride));
  const end = (offset: number, size: number, count: number) => Math.min(count, Math.floor((size - 1 - offset) / stride) + 1);
  for (let b = 0; b < n; b++)
    for (let o = 0; o < cout; o++) {
      const outBase = (b * cout + o) * ho * wo;
      output.fill(bias[o]!, outBase, outBase + ho * wo);
      for (let ky = 0; ky < k; ky++) {
        const [i0, i1] = [first(ky - pt), end(ky - pt, h, ho)];
        for (let kx = 0; kx < k; kx++) {
          const [j0, j1] = [first(kx - pl), end(kx - pl, w, wo)];
          for (let c = 0; c < cin; c++) {
            const weight = kernel[((ky * k + kx) * cin + c) * cout + o]!;
            const inBase = (b * cin + c) * h * w;
            for (let i = i0; i < i1; i++) {
              const inRow = inBase + (i * stride + ky - pt) * w + kx - pl;
              const outRow = outBase + i * wo;
              for (let j = j0; j < j1; j++) output[outRow + j] += input[inRow + j * stride]! * weight;
            }
          }
        }
      }
    }
  return out;
}

/** Keras Conv2DTranspose, kernel [k,k,Cout,Cin]: out[s*i+ky-pt] += in[i] K[ky], cropped to s*H. */
export function tconv64(x: T64, kernel: Float64Array, bias: Float64Array, k: number, cout: number, stride: number): T64 {
  const [n, cin, h, w] = x.shape as [number, number, number, number];
  const ho = h * stride;
  const wo = w * stride;
  const pt = samePadBefore(ho, k, stride);
  const pl = samePadBefore(wo, k, stride);
  const out = t64([n, cout, ho, wo]);
  for (let b = 0; b < n; b++)
    for (let o = 0; o < cout; o++) out.data.fill(bias[o]!, (b * cout + o) * ho * wo, (b * cout + o + 1) * ho * wo);
  for (let b = 0; b < n; b++)
    for (let c = 0; c < cin; c++)
      for (let i = 0; i < h; i++)
        for (let j = 0; j < w; j++) {
          const v = x.data[((b * cin + c) * h + i) * w + j]!;
          for (let ky = 0; ky < k; ky++) {
            const y = i * stride + ky - pt;
            if (y < 0 || y >= ho) continue;
            for (let kx = 0; kx < k; kx++) {
              const xx = j * stride + kx - pl;
              if (xx < 0 || xx >= wo) continue;
              for (let o = 0; o < cout; o++) out.data[((b * cout + o) * ho + y) * wo + xx]! += v * kernel[((ky * k + kx) * cout + o) * cin + c]!;
            }
          }
        }
  return out;
}

export function map64(x: T64, f: (v: number) => number): T64 {
  return { shape: x.shape, data: x.data.map(f) };
}

export const relu64 = (x: T64) => map64(x, (v) => (v > 0 ? v : 0));
export const sigmoid64 = (x: T64) => map64(x, (v) => 1 / (1 + Math.exp(-v)));

export interface BnStat64 {
  bn: string;
  mean: Float64Array;
  variance: Float64Array;
  count: number;
}

/** BN in training mode: batch mean and biased variance over N,H,W. */
export function batchNorm64(x: T64, gamma: Float64Array, beta: Float64Array, eps: number): { y: T64; mean: Float64Array; variance: Float64Array } {
  const [n, c, h, w] = x.shape as [number, number, number, number];
  const hw = h * w;
  const mean = new Float64Array(c);
  const variance = new Float64Array(c);
  const y = t64(x.shape);
  for (let ch = 0; ch < c; ch++) {
    let s = 0;
    for (let b = 0; b < n; b++) for (let p = 0; p < hw; p++) s += x.data[(b * c + ch) * hw + p]!;
    const m = s / (n * hw);
    let v = 0;
    for (let b = 0; b < n; b++) for (let p = 0; p < hw; p++) v += (x.data[(b * c + ch) * hw + p]! - m) ** 2;
    v /= n * hw;
    mean[ch] = m;
    variance[ch] = v;
    const inv = 1 / Math.sqrt(v + eps);
    for (let b = 0; b < n; b++)
      for (let p = 0; p < hw; p++) {
        const i = (b * c + ch) * hw + p;
        y.data[i] = (x.data[i]! - m) * inv * gamma[ch]! + beta[ch]!;
      }
  }
  return { y, mean, variance };
}

export function concatChannels64(a: T64, b: T64): T64 {
  const [n, ca, h, w] = a.shape as [number, number, number, number];
  const cb = b.shape[1]!;
  const hw = h * w;
  const out = t64([n, ca + cb, h, w]);
  for (let i = 0; i < n; i++) {
    out.data.set(a.data.subarray(i * ca * hw, (i + 1) * ca * hw), i * (ca + cb) * hw);
    out.data.set(b.data.subarray(i * cb * hw, (i + 1) * cb * hw), (i * (ca + cb) + ca) * hw);
  }
  return out;
}

/** Max or mean over H, W: [N,C,1,1]. */
export const spatialReduce64 = reusing((x: T64, kind: 'max' | 'mean'): T64 => {
  const [n, c, h, w] = x.shape as [number, number, number, number];
  const hw = h * w;
  const out = t64([n, c, 1, 1]);
  for (let i = 0; i < n * c; i++) {
    const slice = x.data.subarray(i * hw, (i + 1) * hw);
    out.data[i] = kind === 'max' ? Math.max(...slice) : slice.reduce((a, b) => a + b, 0) / hw;
  }
  return out;
});

/** One layer (conv or transposed conv, activation, BN in training mode) and its BN statistics. */
const computeLayer64 = reusing(
  (x: T64, layer: ConvSpec, kernel: Float64Array, bias: Float64Array, gamma?: Float64Array, beta?: Float64Array): { out: T64; stat?: BnStat64 } => {
    const z = (layer.type === 'conv' ? conv64 : tconv64)(x, kernel, bias, layer.kernelSize, layer.outChannels, layer.stride);
    const a = layer.activation === 'relu' ? relu64(z) : sigmoid64(z);
    if (!layer.batchNorm) return { out: a };
    const r = batchNorm64(a, gamma!, beta!, 1e-3);
    return { out: r.y, stat: { bn: layer.batchNorm, mean: r.mean, variance: r.variance, count: a.shape[0]! * a.shape[2]! * a.shape[3]! } };
  },
);

export function layer64(layer: ConvSpec, p: Params64, x: T64, stats: BnStat64[]): T64 {
  const bn = layer.batchNorm;
  const { out, stat } = computeLayer64(x, layer, p.get(`${layer.name}.kernel`)!, p.get(`${layer.name}.bias`)!, bn ? p.get(`${bn}.gamma`)! : undefined, bn ? p.get(`${bn}.beta`)! : undefined);
  if (stat) stats.push({ ...stat });
  return out;
}

const layers64 = (layers: ConvSpec[], p: Params64, x: T64, stats: BnStat64[]) => layers.reduce((v, l) => layer64(l, p, v, stats), x);

export function unet64(spec: UNetSpec, p: Params64, x: T64, stats: BnStat64[]): { mask: T64; brightness: T64 } {
  const d0 = layers64(spec.down[0]!.layers, p, x, stats);
  const d1 = layers64(spec.down[1]!.layers, p, d0, stats);
  const d2 = layers64(spec.down[2]!.layers, p, d1, stats);
  const u0 = concatChannels64(layers64(spec.up[0]!.layers, p, d2, stats), d1);
  const features = concatChannels64(layers64(spec.up[1]!.layers, p, u0, stats), d0);
  const mask = layers64(spec.maskHead.layers, p, features, stats);
  const brightness = layers64(spec.brightnessHead.layers, p, spatialReduce64(features, 'max'), stats);
  return { mask, brightness };
}

/** Composite [1,B,H,W] and the validity-weighted reconstruction loss of one pack. */
export const compositeLoss64 = reusing((x: T64, valid: T64, mask: T64, brightness: T64): { composite: T64; loss: number } => {
  const [k, bands, h, w] = x.shape as [number, number, number, number];
  const hw = h * w;
  const composite = t64([1, bands, h, w]);
  for (let p = 0; p < hw; p++) {
    let den = 0;
    for (let i = 0; i < k; i++) den += (1 - mask.data[i * hw + p]!) * valid.data[i * hw + p]!;
    for (let b = 0; b < bands; b++) {
      let num = 0;
      for (let i = 0; i < k; i++) num += (1 - mask.data[i * hw + p]!) * valid.data[i * hw + p]! * x.data[(i * bands + b) * hw + p]!;
      composite.data[b * hw + p] = num / (den + 1e-8);
    }
  }
  let total = 0;
  let validCount = 0;
  for (let i = 0; i < k; i++)
    for (let p = 0; p < hw; p++) {
      const v = valid.data[i * hw + p]!;
      validCount += v;
      const m = mask.data[i * hw + p]!;
      for (let b = 0; b < bands; b++) {
        const r = (1 - m) * composite.data[b * hw + p]! + m * brightness.data[i * bands + b]!;
        total += v * (x.data[(i * bands + b) * hw + p]! - r) ** 2;
      }
    }
  return { composite, loss: total / (bands * Math.max(validCount, 1)) };
});

/** Embeddings [N,16] of composites [N,B,c,c]. */
export function siameseEncoder64(spec: SiameseSpec, p: Params64, composites: T64, stats: BnStat64[]): T64 {
  const encoded = spec.encoder.reduce((v, block) => layers64(block.layers, p, v, stats), composites);
  return layer64(spec.embedding, p, spatialReduce64(encoded, 'mean'), stats);
}

/** Similarities of the pairs (a - b) given as [first, second] indices. */
export function similarity64(spec: SiameseSpec, p: Params64, embeddings: T64, pairs: [number, number][], stats: BnStat64[]): number[] {
  const dim = embeddings.shape[1]!;
  const diff = t64([pairs.length, dim, 1, 1]);
  pairs.forEach(([a, b], i) => {
    for (let d = 0; d < dim; d++) diff.data[i * dim + d] = (embeddings.data[a * dim + d]! - embeddings.data[b * dim + d]!) ** 2;
  });
  return Array.from(layers64(spec.head.layers, p, diff, stats).data);
}

export interface StepData64 {
  packs: T64[];
  valid: T64[];
  /** [r1, r2]. */
  overlap: [number, number];
}

/** Composites [1,B,H,W] stacked as [N,B,H,W]. */
const stackComposites = reusing((...composites: [T64, ...T64[]]): T64 => {
  const [, bands, h, w] = composites[0].shape as number[];
  const all = t64([composites.length, bands!, h!, w!]);
  composites.forEach((c, i) => all.data.set(c.data, i * c.data.length));
  return all;
});

/** The METHOD.md step loss in float64, with the same batching as the ONNX graph. */
export function stepLoss64(
  unet: UNetSpec,
  siamese: SiameseSpec,
  p: Params64,
  data: StepData64,
  weights = { spatial: 0.01, temporal: 0.01, margin: 0.2 },
  stats: BnStat64[] = [],
) {
  const composites: T64[] = [];
  let rec = 0;
  data.packs.forEach((x, i) => {
    const { mask, brightness } = unet64(unet, p, x, stats);
    const r = compositeLoss64(x, data.valid[i]!, mask, brightness);
    rec += r.loss / data.packs.length;
    composites.push(r.composite);
  });
  const all = stackComposites(...(composites as [T64, ...T64[]]));
  const embeddings = siameseEncoder64(siamese, p, all, stats);
  const s = similarity64(siamese, p, embeddings, [[1, 2], [0, 3], [4, 1], [4, 0]], stats);
  const spatial = ((s[0]! - data.overlap[0]) ** 2 + (s[1]! - data.overlap[1]) ** 2) / 2;
  const temporal = Math.max(s[3]! - s[2]! + weights.margin, 0);
  return { loss: rec + weights.spatial * spatial + weights.temporal * temporal, rec, spatial, temporal, similarity: s };
}
