/** A small seeded PRNG (mulberry32): reproducible k-means runs. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Squared Euclidean distance between row `i` of `points` (dim d) and centroid `c`. */
function dist2(points: Float32Array, i: number, centroids: Float64Array, c: number, d: number): number {
  let s = 0;
  for (let j = 0; j < d; j++) {
    const diff = points[i * d + j]! - centroids[c * d + j]!;
    s += diff * diff;
  }
  return s;
}

export interface KMeansResult {
  k: number;
  dim: number;
  /** k x dim, row-major. */
  centroids: Float64Array;
  labels: Int32Array;
  iterations: number;
}

/**
 * Lloyd's k-means with k-means++ initialisation on `n` points of dimension `dim` (row-major),
 * seeded for reproducibility; stops when no label changes or after `maxIterations`.
 */
export function kMeans(points: Float32Array, dim: number, k: number, seed = 1, maxIterations = 100): KMeansResult {
  const n = points.length / dim;
  if (n < k) throw new Error(`k-means needs at least ${k} points, got ${n}`);
  const random = mulberry32(seed);
  const centroids = new Float64Array(k * dim);
  const first = Math.floor(random() * n);
  for (let j = 0; j < dim; j++) centroids[j] = points[first * dim + j]!;
  const nearest = new Float64Array(n).fill(Infinity);
  for (let c = 1; c < k; c++) {
    let total = 0;
    for (let i = 0; i < n; i++) {
      nearest[i] = Math.min(nearest[i]!, dist2(points, i, centroids, c - 1, dim));
      total += nearest[i]!;
    }
    let pick = n - 1;
    let r = random() * total;
    for (let i = 0; i < n; i++) {
      r -= nearest[i]!;
      if (r <= 0) {
        pick = i;
        break;
      }
    }
    for (let j = 0; j < dim; j++) centroids[c * dim + j] = points[pick * dim + j]!;
  }
  const labels = new Int32Array(n).fill(-1);
  let iterations = 0;
  for (; iterations < maxIterations; iterations++) {
    let changed = 0;
    for (let i = 0; i < n; i++) {
      const label = nearestCentroid(points, i, centroids, k, dim);
      if (label !== labels[i]) {
        labels[i] = label;
        changed++;
      }
    }
    if (changed === 0) break;
    const sums = new Float64Array(k * dim);
    const counts = new Int32Array(k);
    for (let i = 0; i < n; i++) {
      const c = labels[i]!;
      counts[c]!++;
      for (let j = 0; j < dim; j++) sums[c * dim + j]! += points[i * dim + j]!;
    }
    // An emptied cluster keeps its centroid (rare with k-means++ seeding).
    for (let c = 0; c < k; c++) if (counts[c]! > 0) for (let j = 0; j < dim; j++) centroids[c * dim + j] = sums[c * dim + j]! / counts[c]!;
  }
  return { k, dim, centroids, labels, iterations };
}

export function nearestCentroid(points: Float32Array, i: number, centroids: Float64Array, k: number, dim: number): number {
  let best = 0;
  let bestD = Infinity;
  for (let c = 0; c < k; c++) {
    const d = dist2(points, i, centroids, c, dim);
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return best;
}
