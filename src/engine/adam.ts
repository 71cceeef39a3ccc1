/**
 * Adam as Keras implements it (TF2 optimizer_v2): m = b1 m + (1-b1) g, v = b2 v + (1-b2) g^2,
 * lr_t = lr sqrt(1-b2^t) / (1-b1^t), w -= lr_t m / (sqrt(v) + epsilon). Defaults are Keras':
 * beta1 0.9, beta2 0.999, epsilon 1e-7. Runs in place on Float32Arrays.
 */
export interface AdamOptions {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
}

export const KERAS_ADAM: Omit<AdamOptions, 'learningRate'> = { beta1: 0.9, beta2: 0.999, epsilon: 1e-7 };

export interface AdamState {
  /** Number of updates applied so far. */
  t: number;
  m: Map<string, Float32Array>;
  v: Map<string, Float32Array>;
}

export function createAdamState(names: Iterable<[string, number]>): AdamState {
  const m = new Map<string, Float32Array>();
  const v = new Map<string, Float32Array>();
  for (const [name, size] of names) {
    m.set(name, new Float32Array(size));
    v.set(name, new Float32Array(size));
  }
  return { t: 0, m, v };
}

/** One Adam update of every parameter that has a gradient. */
export function adamStep(options: AdamOptions, state: AdamState, params: Map<string, Float32Array>, gradients: Map<string, Float32Array>): void {
  state.t += 1;
  const { beta1, beta2, epsilon } = options;
  const lrT = (options.learningRate * Math.sqrt(1 - beta2 ** state.t)) / (1 - beta1 ** state.t);
  for (const [name, g] of gradients) {
    const w = params.get(name);
    const m = state.m.get(name);
    const v = state.v.get(name);
    if (!w || !m || !v) throw new Error(`Adam: no parameter or state for ${name}`);
    for (let i = 0; i < w.length; i++) {
      const gi = g[i]!;
      const mi = beta1 * m[i]! + (1 - beta1) * gi;
      const vi = beta2 * v[i]! + (1 - beta2) * gi * gi;
      m[i] = mi;
      v[i] = vi;
      w[i] = w[i]! - (lrT * mi) / (Math.sqrt(vi) + epsilon);
    }
  }
}
