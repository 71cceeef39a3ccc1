import { TrainSession } from '../engine/train-session.js';
import { KERAS_ADAM, adamStep, createAdamState } from '../engine/adam.js';
import { type DecNetworkSpec, buildAutoencoderGraph, buildClusteringGraph } from '../graph/dec-graphs.js';
import { createRandom } from '../util/random.js';
import { argmaxRows, encode, initDecParameters, meanKl, sharpness, softAssign, targetDistribution } from './dec-network.js';
import { kMeans } from './kmeans.js';

export interface DecTrainOptions {
  k: number;
  batch: number;
  /** Autoencoder (reconstruction) steps. */
  aeSteps: number;
  /** Most clustering steps. */
  decSteps: number;
  /** Target distribution updated every `updateInterval` clustering steps (DEC's T). */
  updateInterval: number;
  /** Stop when fewer than this fraction of points change cluster between two target updates (DEC's tol). */
  tolerance: number;
  learningRate: number;
  seed: number;
}

/** Passes over the sample that set the default step budget: 40 epochs, 200 to 1500 steps per phase. */
export function defaultSteps(n: number, batch: number): number {
  return Math.min(1500, Math.max(200, Math.ceil((40 * n) / batch)));
}

export const DEC_DEFAULTS: Omit<DecTrainOptions, 'k' | 'aeSteps' | 'decSteps'> = {
  batch: 256,
  updateInterval: 100,
  tolerance: 0.001,
  learningRate: 1e-3,
  seed: 1,
};

export interface DecInterval {
  step: number;
  /** Mean KL(P || Q) over the sample against this interval's target, before and after its steps. */
  klBefore: number;
  klAfter: number;
  /** Mean max_j q_ij at the start of the interval. */
  sharpness: number;
  /** Fraction of points whose cluster changed since the previous target update. */
  changed: number;
}

export interface DecTrained {
  params: Map<string, Float32Array>;
  mu: Float32Array;
  /** Mean reconstruction loss over each block of 100 autoencoder steps. */
  aeLoss: number[];
  intervals: DecInterval[];
  /** Final soft assignments and hard labels of the sample. */
  q: Float32Array;
  labels: Int32Array;
  finalSharpness: number;
}

function batchRows(rows: Float32Array, dim: number, order: Int32Array, start: number, batch: number, into: Float32Array): Int32Array {
  const picked = new Int32Array(batch);
  for (let b = 0; b < batch; b++) {
    const i = order[(start + b) % order.length]!;
    picked[b] = i;
    into.set(rows.subarray(i * dim, (i + 1) * dim), b * dim);
  }
  return picked;
}

function shuffled(n: number, random: ReturnType<typeof createRandom>): Int32Array {
  const order = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = random.int(i + 1);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order;
}

/**
 * DEC (Xie, Girshick and Farhadi 2016) on standardised feature rows [n, dim]: the autoencoder
 * trained by reconstruction (MSE, Adam), k-means on the embeddings for the initial centroids, then
 * the clustering phase: KL(P || Q) minimised over the encoder and the centroids together, the
 * target P recomputed from Q every `updateInterval` steps, stopping when assignments settle.
 * Both phases run as ONNX training graphs (graph/dec-graphs.ts) on the engine; Adam in TypeScript.
 */
export async function trainDec(spec: DecNetworkSpec, rows: Float32Array, n: number, options: DecTrainOptions): Promise<DecTrained> {
  const { k, batch } = options;
  const dim = spec.encoder[0]!;
  const embed = spec.encoder[spec.encoder.length - 1]!;
  const random = createRandom(options.seed);
  const params = initDecParameters(spec, options.seed);
  const x = new Float32Array(batch * dim);
  const adam = { ...KERAS_ADAM, learningRate: options.learningRate };

  const aeGraph = buildAutoencoderGraph(spec, batch);
  const ae = await TrainSession.create(aeGraph, { threads: 1 });
  const aeLoss: number[] = [];
  try {
    const state = createAdamState(aeGraph.parameters.map((p) => [p.name, params.get(p.name)!.length]));
    let order = shuffled(n, random);
    let sum = 0;
    for (let step = 0, at = 0; step < options.aeSteps; step++, at += batch) {
      if (at + batch > n) [order, at] = [shuffled(n, random), 0];
      batchRows(rows, dim, order, at, batch, x);
      const out = await ae.run(params, new Map([['x', x]]));
      adamStep(adam, state, params, out.gradients);
      sum += out.losses.get('loss')!;
      if ((step + 1) % 100 === 0 || step + 1 === options.aeSteps) {
        aeLoss.push(sum / ((step % 100) + 1));
        sum = 0;
      }
    }
  } finally {
    await ae.release();
  }

  const z0 = encode(spec, params, rows, n);
  const init = kMeans(z0, embed, k, options.seed);
  const mu = Float32Array.from(init.centroids);
  const clusterGraph = buildClusteringGraph(spec, batch, k);
  const session = await TrainSession.create(clusterGraph, { threads: 1 });
  const intervals: DecInterval[] = [];
  const all = new Map([...params, ['mu', mu]]);
  let labels: Int32Array = Int32Array.from(init.labels);
  let q = softAssign(z0, n, mu, k);
  try {
    const state = createAdamState(clusterGraph.parameters.map((p) => [p.name, all.get(p.name)!.length]));
    const pBatch = new Float32Array(batch * k);
    let order = shuffled(n, random);
    for (let step = 0, at = 0; step < options.decSteps; step += options.updateInterval) {
      q = softAssign(encode(spec, all, rows, n), n, mu, k);
      const p = targetDistribution(q, n, k);
      const now = argmaxRows(q, n, k);
      const changed = now.reduce((c, l, i) => c + (l !== labels[i] ? 1 : 0), 0) / n;
      labels = now;
      if (step > 0 && changed < options.tolerance) break;
      const interval: DecInterval = { step, klBefore: meanKl(p, q, n, k), klAfter: 0, sharpness: sharpness(q, n, k), changed };
      for (let s = 0; s < options.updateInterval; s++, at += batch) {
        if (at + batch > n) [order, at] = [shuffled(n, random), 0];
        const picked = batchRows(rows, dim, order, at, batch, x);
        picked.forEach((i, b) => pBatch.set(p.subarray(i * k, (i + 1) * k), b * k));
        const out = await session.run(all, new Map([['x', x], ['p', pBatch]]));
        adamStep(adam, state, all, out.gradients);
      }
      interval.klAfter = meanKl(p, softAssign(encode(spec, all, rows, n), n, mu, k), n, k);
      intervals.push(interval);
    }
  } finally {
    await session.release();
  }
  q = softAssign(encode(spec, all, rows, n), n, mu, k);
  for (const [name, v] of all) if (name !== 'mu') params.set(name, v);
  return { params, mu, aeLoss, intervals, q, labels: argmaxRows(q, n, k), finalSharpness: sharpness(q, n, k) };
}
