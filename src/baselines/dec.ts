import { AutocmError } from '../util/errors.js';
import { CLEAR, CLOUD, NODATA } from '../masks/mask-classes.js';
import type { DecNetworkSpec } from '../graph/dec-graphs.js';
import { visibleBands } from './band-roles.js';
import type { FittedBaseline, ReflectanceStrip, SampledBaseline } from './baseline-types.js';
import { DEC_DEFAULTS, type DecTrainOptions, defaultSteps, trainDec } from './dec-train.js';
import { encode, softAssign } from './dec-network.js';
import { localFeatures } from './kmeans-baseline.js';

export interface DecOptions extends Partial<Omit<DecTrainOptions, 'k'>> {
  /** Clusters (default 5). */
  k?: number;
  /** Clusters whose members' mean visible reflectance reaches this are cloud (default 0.2). */
  cloudBrightness?: number;
  /** Neighbourhood radius of the local mean/std features (default 0: bands only, as DEC clusters raw feature vectors; 1: 3 x 3). */
  radius?: number;
  /** Embedding width (default 4) and hidden widths (default [32, 32]). */
  embed?: number;
  hidden?: number[];
}

/** Standardises feature columns into rows [n, dim]; returns the rows. */
function standardRows(columns: Float32Array[], mean: number[], std: number[], n: number): Float32Array {
  const dim = columns.length;
  const rows = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) for (let j = 0; j < dim; j++) rows[i * dim + j] = (columns[j]![i]! - mean[j]!) / std[j]!;
  return rows;
}

const constantScene = (halo: number, note: Record<string, unknown>): FittedBaseline => ({
  halo,
  fitted: note,
  score(strip) {
    const n = (strip.rows - strip.haloTop - strip.haloBottom) * strip.width;
    const probability = new Float32Array(n);
    const classes = new Uint8Array(n);
    const start = strip.haloTop * strip.width;
    for (let i = 0; i < n; i++) {
      if (strip.bands.some((b) => Number.isNaN(b[start + i]!))) {
        probability[i] = Number.NaN;
        classes[i] = NODATA;
      }
    }
    return { probability, classes };
  },
});

/**
 * DEC, Deep Embedded Clustering (Xie, Girshick and Farhadi, ICML 2016), as a cloud baseline: on a
 * sample of the image's pixels (features: the bands, optionally with the mean and std of a small
 * neighbourhood per band; standardised) a stacked autoencoder is trained by reconstruction, k-means on its embedding
 * gives the initial centroids, then DEC's clustering phase refines encoder and centroids together
 * (Student's t soft assignment, KL to the sharpened target, target updated every T steps). Clusters
 * whose members' mean visible reflectance reaches `cloudBrightness` are cloud. Score = the soft
 * assignment's mass on cloud clusters; class cloud where that is >= 0.5.
 */
export function decBaseline(bandNames: string[], file: string, options: DecOptions = {}): SampledBaseline {
  const k = options.k ?? 5;
  const cloudBrightness = options.cloudBrightness ?? 0.2;
  const radius = options.radius ?? 0;
  const given = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as Partial<DecTrainOptions>;
  const batch = given.batch ?? DEC_DEFAULTS.batch;
  const visible = visibleBands(bandNames);
  const features = (strip: ReflectanceStrip) => localFeatures(strip, radius);
  return {
    halo: radius,
    features,
    async fit(sample): Promise<FittedBaseline> {
      const n = sample[0]!.length;
      const dim = sample.length;
      if (n < batch) {
        throw new AutocmError(`the dec baseline needs at least ${batch} valid pixels (one training batch), found ${n}`, file);
      }
      const steps = defaultSteps(n, batch);
      const train: DecTrainOptions = { ...DEC_DEFAULTS, aeSteps: steps, decSteps: steps, ...given, k };
      const mean = sample.map((f) => f.reduce((a, b) => a + b, 0) / n);
      const rawStd = sample.map((f, j) => Math.sqrt(f.reduce((a, b) => a + (b - mean[j]!) ** 2, 0) / n));
      if (rawStd.every((s) => s < 1e-6)) {
        return constantScene(radius, { k: 1, warning: 'constant scene: one cluster, nothing marked as cloud', cloudClusters: [] });
      }
      const std = rawStd.map((s) => (s < 1e-6 ? 1 : s));
      const spec: DecNetworkSpec = { encoder: [dim, ...(options.hidden ?? [32, 32]), options.embed ?? 4] };
      const rows = standardRows(sample, mean, std, n);
      const trained = await trainDec(spec, rows, n, train);
      // Brightness of a cluster: the mean visible reflectance of its members.
      const sums = new Float64Array(k);
      const counts = new Int32Array(k);
      for (let i = 0; i < n; i++) {
        const c = trained.labels[i]!;
        counts[c]!++;
        sums[c]! += visible.reduce((s, b) => s + sample[b]![i]!, 0) / visible.length;
      }
      const brightness = Array.from(sums, (s, c) => (counts[c]! > 0 ? s / counts[c]! : 0));
      const isCloud = brightness.map((b, c) => counts[c]! > 0 && b >= cloudBrightness);
      const fitted = {
        k,
        cloudBrightness,
        radius,
        encoder: spec.encoder,
        clusterBrightness: brightness.map((b) => +b.toFixed(4)),
        clusterSizes: Array.from(counts),
        cloudClusters: isCloud.flatMap((c, i) => (c ? [i] : [])),
        /** Mean reconstruction loss per 100 autoencoder steps. */
        aeLoss: trained.aeLoss.map((v) => +v.toPrecision(4)),
        /** Per target update: KL before and after the interval's steps, sharpness (mean max q) at its start, fraction of points that changed cluster. */
        decIntervals: trained.intervals.map((v) => ({ step: v.step, klBefore: +v.klBefore.toPrecision(4), klAfter: +v.klAfter.toPrecision(4), sharpness: +v.sharpness.toFixed(4), changed: +v.changed.toFixed(4) })),
        sharpness: +trained.finalSharpness.toFixed(4),
      };
      return {
        halo: radius,
        fitted,
        score(strip) {
          const columns = features(strip);
          const count = columns[0]!.length;
          const probability = new Float32Array(count);
          const classes = new Uint8Array(count);
          const valid: number[] = [];
          for (let i = 0; i < count; i++) {
            if (columns.some((c) => Number.isNaN(c[i]!))) {
              probability[i] = Number.NaN;
              classes[i] = NODATA;
            } else valid.push(i);
          }
          const picked = columns.map((c) => Float32Array.from(valid, (i) => c[i]!));
          const q = softAssign(encode(spec, trained.params, standardRows(picked, mean, std, valid.length), valid.length), valid.length, trained.mu, k);
          valid.forEach((i, v) => {
            let p = 0;
            for (let c = 0; c < k; c++) if (isCloud[c]) p += q[v * k + c]!;
            probability[i] = p;
            classes[i] = p >= 0.5 ? CLOUD : CLEAR;
          });
          return { probability, classes };
        },
      };
    },
  };
}
