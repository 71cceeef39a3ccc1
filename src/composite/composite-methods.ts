/**
 * Per-pixel compositing of one window over a stack. Observation t of pixel i has band values
 * `values[t][b][i]` (NaN = nodata) and a cloud probability `cloud[t][i]` in [0, 1] (NaN = no
 * mask / mask nodata). An observation is clear when its bands are valid and p < threshold.
 */
export type CompositeMethod = 'mean' | 'median' | 'best';
export const COMPOSITE_METHODS: CompositeMethod[] = ['mean', 'median', 'best'];

export interface CompositeWindowResult {
  /** bands[b][i]; NaN where no clear observation exists. */
  bands: Float32Array[];
  /** Clear observations per pixel. */
  count: Uint16Array;
}

/** The method's tiny constant in C = sum (1-p) X / (sum (1-p) + 1e-8). */
export const WEIGHT_EPSILON = 1e-8;

function observationValid(values: Float32Array[], i: number): boolean {
  for (const band of values) if (Number.isNaN(band[i]!)) return false;
  return true;
}

/**
 * Streaming accumulator: observations are added one date at a time, so the mean and the
 * best-observation composites need no stack-length memory; the median keeps the clear values.
 */
export class CompositeAccumulator {
  private readonly n: number;
  private readonly sums: Float64Array[];
  private readonly weights: Float64Array;
  private readonly count: Uint16Array;
  private readonly bestP: Float64Array;
  private readonly bestRank: Float64Array;
  private readonly best: Float32Array[];
  private readonly clearValues: number[][][] | null;

  constructor(
    readonly method: CompositeMethod,
    readonly bandCount: number,
    pixels: number,
    readonly threshold: number,
  ) {
    this.n = pixels;
    this.sums = method === 'mean' ? Array.from({ length: bandCount }, () => new Float64Array(pixels)) : [];
    this.weights = new Float64Array(method === 'mean' ? pixels : 0);
    this.count = new Uint16Array(pixels);
    this.bestP = new Float64Array(method === 'best' ? pixels : 0).fill(Infinity);
    this.bestRank = new Float64Array(method === 'best' ? pixels : 0).fill(Infinity);
    this.best = method === 'best' ? Array.from({ length: bandCount }, () => new Float32Array(pixels).fill(Number.NaN)) : [];
    this.clearValues = method === 'median' ? Array.from({ length: bandCount }, () => Array.from({ length: pixels }, () => [])) : null;
  }

  /**
   * Adds one date. `rank` orders ties of the best-observation method: lower wins (the caller
   * passes the distance to the target date, or minus the time for "latest first"). `threshold`:
   * this date's own (its model's calibrated threshold), default the accumulator's.
   */
  add(values: Float32Array[], cloud: Float32Array, rank = 0, threshold = this.threshold): void {
    for (let i = 0; i < this.n; i++) {
      const p = cloud[i]!;
      if (Number.isNaN(p) || !observationValid(values, i)) continue;
      const clear = p < threshold;
      if (clear && this.count[i]! < 65535) this.count[i]!++;
      if (this.method === 'mean') {
        const w = 1 - p;
        this.weights[i]! += w;
        for (let b = 0; b < this.bandCount; b++) this.sums[b]![i]! += w * values[b]![i]!;
      } else if (!clear) {
        continue;
      } else if (this.method === 'median') {
        for (let b = 0; b < this.bandCount; b++) this.clearValues![b]![i]!.push(values[b]![i]!);
      } else if (p < this.bestP[i]! || (p === this.bestP[i]! && rank < this.bestRank[i]!)) {
        this.bestP[i] = p;
        this.bestRank[i] = rank;
        for (let b = 0; b < this.bandCount; b++) this.best[b]![i] = values[b]![i]!;
      }
    }
  }

  result(): CompositeWindowResult {
    const bands = Array.from({ length: this.bandCount }, () => new Float32Array(this.n).fill(Number.NaN));
    for (let i = 0; i < this.n; i++) {
      if (this.count[i] === 0) continue;
      for (let b = 0; b < this.bandCount; b++) {
        if (this.method === 'mean') bands[b]![i] = this.sums[b]![i]! / (this.weights[i]! + WEIGHT_EPSILON);
        else if (this.method === 'best') bands[b]![i] = this.best[b]![i]!;
        else bands[b]![i] = medianOf(this.clearValues![b]![i]!);
      }
    }
    return { bands, count: this.count };
  }
}

export function medianOf(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const h = sorted.length >> 1;
  return sorted.length % 2 ? sorted[h]! : (sorted[h - 1]! + sorted[h]!) / 2;
}
