import { AutocmError } from '../util/errors.js';
import { NODATA } from '../masks/mask-classes.js';
import { visibleBands } from './band-roles.js';
import type { FittedBaseline, ReflectanceStrip, SampledBaseline } from './baseline-types.js';
import { kMeans } from './kmeans.js';
import { boxMeanStd } from './local-stats.js';

export interface KmeansBaselineOptions {
  /** Number of clusters (default 5). */
  k?: number;
  /** Clusters whose mean visible reflectance reaches this are cloud (default 0.2). */
  cloudBrightness?: number;
  seed?: number;
}

const LOCAL_RADIUS = 2; // 5 x 5 window

/**
 * Per-pixel features for the core rows of a strip: every band, then per band the mean and
 * standard deviation of its (2 radius + 1)^2 neighbourhood (none for radius 0). NaN where any
 * band is nodata.
 */
export function localFeatures(strip: ReflectanceStrip, radius = LOCAL_RADIUS): Float32Array[] {
  const { width, rows, haloTop, haloBottom, bands } = strip;
  const start = haloTop * width;
  const end = (rows - haloBottom) * width;
  const own = bands.map((b) => b.slice(start, end));
  const local = bands.flatMap((b) => {
    if (radius === 0) return [];
    const { mean, std } = boxMeanStd(b, width, rows, radius);
    return [mean.slice(start, end), std.slice(start, end)];
  });
  const features = [...own, ...local];
  for (let i = 0; i < end - start; i++) {
    if (own.some((b) => Number.isNaN(b[i]!))) for (const f of features) f[i] = Number.NaN;
  }
  return features;
}

/**
 * The `kmeans` baseline (until issue 16 shipped under the name dec; it is not DEC):
 * k-means (k-means++ seeding, fixed seed) on standardised per-pixel features (bands plus 5 x 5
 * local mean and std), fitted on a sample of pixels. Clusters whose mean visible reflectance
 * reaches `cloudBrightness` are cloud (the brightest clusters); score = d_clear / (d_cloud +
 * d_clear), the relative distance to the nearest cloud and clear centroids, so score >= 0.5
 * exactly where the nearest centroid is a cloud cluster.
 */
export function kmeansBaseline(bandNames: string[], file: string, options: KmeansBaselineOptions = {}): SampledBaseline {
  const k = options.k ?? 5;
  const cloudBrightness = options.cloudBrightness ?? 0.2;
  const visible = visibleBands(bandNames);
  return {
    halo: LOCAL_RADIUS,
    features: (strip) => localFeatures(strip),
    fit(sample): FittedBaseline {
      const n = sample[0]!.length;
      if (n < k * 10) throw new AutocmError(`the kmeans baseline needs at least ${k * 10} valid pixels, found ${n}`, file);
      const dim = sample.length;
      const mean = sample.map((f) => f.reduce((a, b) => a + b, 0) / n);
      const std = sample.map((f, j) => Math.sqrt(f.reduce((a, b) => a + (b - mean[j]!) ** 2, 0) / n) || 1);
      const points = new Float32Array(n * dim);
      for (let i = 0; i < n; i++) for (let j = 0; j < dim; j++) points[i * dim + j] = (sample[j]![i]! - mean[j]!) / std[j]!;
      const result = kMeans(points, dim, k, options.seed ?? 1);
      // Brightness of a cluster: its centroid's visible bands, back in reflectance.
      const brightness = Array.from({ length: k }, (_, c) => visible.reduce((s, b) => s + result.centroids[c * dim + b]! * std[b]! + mean[b]!, 0) / visible.length);
      const isCloud = brightness.map((b) => b >= cloudBrightness);
      return {
        halo: LOCAL_RADIUS,
        fitted: { k, cloudBrightness, clusterBrightness: brightness, cloudClusters: isCloud.flatMap((c, i) => (c ? [i] : [])), iterations: result.iterations },
        score(strip) {
          const features = localFeatures(strip);
          const count = features[0]!.length;
          const probability = new Float32Array(count);
          const classes = new Uint8Array(count);
          for (let i = 0; i < count; i++) {
            if (Number.isNaN(features[0]![i]!)) {
              probability[i] = Number.NaN;
              classes[i] = NODATA;
              continue;
            }
            let dCloud = Infinity;
            let dClear = Infinity;
            for (let c = 0; c < k; c++) {
              let d = 0;
              for (let j = 0; j < dim; j++) {
                const v = (features[j]![i]! - mean[j]!) / std[j]! - result.centroids[c * dim + j]!;
                d += v * v;
              }
              if (isCloud[c]) dCloud = Math.min(dCloud, d);
              else dClear = Math.min(dClear, d);
            }
            const p = dCloud === Infinity ? 0 : dClear === Infinity ? 1 : Math.sqrt(dClear) / (Math.sqrt(dCloud) + Math.sqrt(dClear) || 1);
            probability[i] = p;
            classes[i] = dCloud < dClear ? 1 : 0;
          }
          return { probability, classes };
        },
      };
    },
  };
}
