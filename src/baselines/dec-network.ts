import { type DecNetworkSpec, decParameterSpecs, layerName } from '../graph/dec-graphs.js';
import { createRandom } from '../util/random.js';

/** Glorot-uniform kernels and zero biases for the encoder and decoder (seeded). */
export function initDecParameters(spec: DecNetworkSpec, seed: number): Map<string, Float32Array> {
  const random = createRandom(seed);
  const params = new Map<string, Float32Array>();
  for (const p of [...decParameterSpecs(spec, 'enc'), ...decParameterSpecs(spec, 'dec')]) {
    const values = new Float32Array(p.shape.reduce((a, b) => a * b, 1));
    if (p.role === 'kernel') {
      const limit = Math.sqrt(6 / (p.shape[0]! + p.shape[1]!));
      for (let i = 0; i < values.length; i++) values[i] = (2 * random.next() - 1) * limit;
    }
    params.set(p.name, values);
  }
  return params;
}

/**
 * The encoder in plain TypeScript (the same layers as the training graph: MatMul + bias, ReLU
 * between, linear embedding), for the whole sample and for scoring: rows [n, dim] -> [n, embed].
 */
export function encode(spec: DecNetworkSpec, params: Map<string, Float32Array>, rows: Float32Array, n: number): Float32Array {
  let h = rows;
  const widths = spec.encoder;
  for (let l = 0; l + 1 < widths.length; l++) {
    const [din, dout] = [widths[l]!, widths[l + 1]!];
    const w = params.get(`${layerName('enc', l)}.kernel`)!;
    const b = params.get(`${layerName('enc', l)}.bias`)!;
    const out = new Float32Array(n * dout);
    const last = l + 2 === widths.length;
    for (let i = 0; i < n; i++) {
      for (let o = 0; o < dout; o++) {
        let s = b[o]!;
        for (let j = 0; j < din; j++) s += h[i * din + j]! * w[j * dout + o]!;
        out[i * dout + o] = last || s > 0 ? s : 0;
      }
    }
    h = out;
  }
  return h;
}

/** Student's t soft assignment (alpha = 1): q_ij proportional to 1 / (1 + |z_i - mu_j|^2). */
export function softAssign(z: Float32Array, n: number, mu: Float32Array, k: number): Float32Array {
  const e = mu.length / k;
  const q = new Float32Array(n * k);
  for (let i = 0; i < n; i++) {
    let total = 0;
    for (let j = 0; j < k; j++) {
      let d = 0;
      for (let c = 0; c < e; c++) d += (z[i * e + c]! - mu[j * e + c]!) ** 2;
      const t = 1 / (1 + d);
      q[i * k + j] = t;
      total += t;
    }
    for (let j = 0; j < k; j++) q[i * k + j]! /= total;
  }
  return q;
}

/** DEC's target: p_ij = (q_ij^2 / f_j) / sum_j' (q_ij'^2 / f_j'), f_j = sum_i q_ij (soft cluster frequency). */
export function targetDistribution(q: Float32Array, n: number, k: number): Float32Array {
  const f = new Float64Array(k);
  for (let i = 0; i < n; i++) for (let j = 0; j < k; j++) f[j]! += q[i * k + j]!;
  const p = new Float32Array(n * k);
  for (let i = 0; i < n; i++) {
    let total = 0;
    for (let j = 0; j < k; j++) {
      const v = q[i * k + j]! ** 2 / Math.max(f[j]!, 1e-12);
      p[i * k + j] = v;
      total += v;
    }
    for (let j = 0; j < k; j++) p[i * k + j]! /= total;
  }
  return p;
}

/** Mean over points of KL(P_i || Q_i). */
export function meanKl(p: Float32Array, q: Float32Array, n: number, k: number): number {
  let s = 0;
  for (let i = 0; i < n * k; i++) if (p[i]! > 0) s += p[i]! * Math.log(p[i]! / Math.max(q[i]!, 1e-30));
  return s / n;
}

export function argmaxRows(q: Float32Array, n: number, k: number): Int32Array {
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let j = 1; j < k; j++) if (q[i * k + j]! > q[i * k + best]!) best = j;
    labels[i] = best;
  }
  return labels;
}

/** Mean over points of max_j q_ij: 1/k for uniform assignments, 1 for hard ones. */
export function sharpness(q: Float32Array, n: number, k: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) {
    let m = 0;
    for (let j = 0; j < k; j++) m = Math.max(m, q[i * k + j]!);
    s += m;
  }
  return s / n;
}
