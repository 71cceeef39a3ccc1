/**
 * A direct float64 reference of the Keras U-Net for tests, written from the formulas of
 * ../shared/reference/README.md in HWC layout (not NCHW like the ONNX graph): TF 'same' padding
 * by its definition, the transposed conv by its scatter formula, relu then BN, [upsampled, skip].
 */
import { BN_EPSILON, type ConvSpec, type UNetSpec } from '../../src/model/description.js';

export interface Hwc {
  h: number;
  w: number;
  c: number;
  data: Float64Array;
}

type Params = Map<string, Float32Array>;

/** Keras Conv2D 'same' (kernel [kh,kw,in,out]) with TF's padding: before = floor(total/2). */
export function convSame(x: Hwc, kernel: Float32Array, k: number, outChannels: number, stride: number): Hwc {
  const outH = Math.ceil(x.h / stride);
  const outW = Math.ceil(x.w / stride);
  const padTop = Math.floor(Math.max((outH - 1) * stride + k - x.h, 0) / 2);
  const padLeft = Math.floor(Math.max((outW - 1) * stride + k - x.w, 0) / 2);
  const out = new Float64Array(outH * outW * outChannels);
  for (let oy = 0; oy < outH; oy++)
    for (let ox = 0; ox < outW; ox++)
      for (let ky = 0; ky < k; ky++) {
        const iy = oy * stride + ky - padTop;
        if (iy < 0 || iy >= x.h) continue;
        for (let kx = 0; kx < k; kx++) {
          const ix = ox * stride + kx - padLeft;
          if (ix < 0 || ix >= x.w) continue;
          for (let ci = 0; ci < x.c; ci++) {
            const v = x.data[(iy * x.w + ix) * x.c + ci]!;
            for (let co = 0; co < outChannels; co++) out[(oy * outW + ox) * outChannels + co] += v * kernel[((ky * k + kx) * x.c + ci) * outChannels + co]!;
          }
        }
      }
  return { h: outH, w: outW, c: outChannels, data: out };
}

/** Keras Conv2DTranspose(k, stride 2, 'same') (kernel [kh,kw,out,in]): scatter, no flip, cut at 2H. */
export function transposedConvScatter(x: Hwc, kernel: Float32Array, k: number, outChannels: number, stride: number): Hwc {
  const outH = x.h * stride;
  const outW = x.w * stride;
  const out = new Float64Array(outH * outW * outChannels);
  for (let i = 0; i < x.h; i++)
    for (let j = 0; j < x.w; j++)
      for (let ky = 0; ky < k; ky++) {
        const oy = stride * i + ky;
        if (oy >= outH) continue;
        for (let kx = 0; kx < k; kx++) {
          const ox = stride * j + kx;
          if (ox >= outW) continue;
          for (let co = 0; co < outChannels; co++)
            for (let ci = 0; ci < x.c; ci++) out[(oy * outW + ox) * outChannels + co] += x.data[(i * x.w + j) * x.c + ci]! * kernel[((ky * k + kx) * outChannels + co) * x.c + ci]!;
        }
      }
  return { h: outH, w: outW, c: outChannels, data: out };
}

function layer(x: Hwc, spec: ConvSpec, params: Params): Hwc {
  const kernel = params.get(`${spec.name}.kernel`)!;
  const bias = params.get(`${spec.name}.bias`)!;
  const z = spec.type === 'conv' ? convSame(x, kernel, spec.kernelSize, spec.outChannels, spec.stride) : transposedConvScatter(x, kernel, spec.kernelSize, spec.outChannels, spec.stride);
  const c = spec.outChannels;
  for (let i = 0; i < z.data.length; i++) {
    const v = z.data[i]! + bias[i % c]!;
    z.data[i] = spec.activation === 'relu' ? Math.max(v, 0) : 1 / (1 + Math.exp(-v));
  }
  if (spec.batchNorm) {
    const get = (attr: string) => params.get(`${spec.batchNorm}.${attr}`)!;
    const [gamma, beta, mean, variance] = [get('gamma'), get('beta'), get('moving_mean'), get('moving_variance')];
    for (let i = 0; i < z.data.length; i++) {
      const ch = i % c;
      z.data[i] = ((z.data[i]! - mean[ch]!) / Math.sqrt(variance[ch]! + BN_EPSILON)) * gamma[ch]! + beta[ch]!;
    }
  }
  return z;
}

function concat(a: Hwc, b: Hwc): Hwc {
  const c = a.c + b.c;
  const data = new Float64Array(a.h * a.w * c);
  for (let p = 0; p < a.h * a.w; p++) {
    data.set(a.data.subarray(p * a.c, (p + 1) * a.c), p * c);
    data.set(b.data.subarray(p * b.c, (p + 1) * b.c), p * c + a.c);
  }
  return { h: a.h, w: a.w, c, data };
}

const chain = (x: Hwc, layers: ConvSpec[], params: Params) => layers.reduce((v, l) => layer(v, l, params), x);

/** The U-Net on one HWC image: mask (H*W) and brightness (bands). */
export function referenceUnet(spec: UNetSpec, params: Params, image: Hwc): { mask: Float64Array; brightness: Float64Array } {
  const d0 = chain(image, spec.down[0]!.layers, params);
  const d1 = chain(d0, spec.down[1]!.layers, params);
  const d2 = chain(d1, spec.down[2]!.layers, params);
  const u0 = concat(chain(d2, spec.up[0]!.layers, params), d1);
  const x = concat(chain(u0, spec.up[1]!.layers, params), d0);
  const mask = chain(x, spec.maskHead.layers, params).data;
  const pooled = new Float64Array(x.c).fill(-Infinity);
  for (let i = 0; i < x.data.length; i++) pooled[i % x.c] = Math.max(pooled[i % x.c]!, x.data[i]!);
  const brightness = chain({ h: 1, w: 1, c: x.c, data: pooled }, spec.brightnessHead.layers, params).data;
  return { mask, brightness };
}
