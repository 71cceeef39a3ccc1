import type { SampleType, TypedArray } from '../raster/types.js';

/**
 * The values an image's percentile stretch is computed from: every strictly positive, finite
 * value that is not the nodata value (the reference takes img[img > 0] over all bands jointly).
 * Small-integer rasters are counted in a histogram (exact, constant memory); other types are
 * kept as a list, so callers bound how many pixels they feed in.
 */
export class ValueSample {
  private readonly histogram: Float64Array | null;
  private list: Float64Array;
  private listLength = 0;
  private total = 0;

  constructor(
    sampleType: SampleType,
    private readonly nodata: number | null,
  ) {
    this.histogram = sampleType === 'uint8' || sampleType === 'int8' ? new Float64Array(256) : sampleType === 'uint16' || sampleType === 'int16' ? new Float64Array(65536) : null;
    this.list = new Float64Array(this.histogram ? 0 : 1 << 16);
  }

  /** Number of values taken so far. */
  get count(): number {
    return this.total;
  }

  add(values: TypedArray): void {
    const nodata = this.nodata;
    if (this.histogram) {
      const histogram = this.histogram;
      let added = 0;
      for (let i = 0; i < values.length; i++) {
        const v = values[i]!;
        if (v > 0 && v !== nodata) {
          histogram[v]++;
          added++;
        }
      }
      this.total += added;
      return;
    }
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      if (!(v > 0) || v === nodata || v === Infinity) continue;
      if (this.listLength === this.list.length) {
        const grown = new Float64Array(this.list.length * 2);
        grown.set(this.list);
        this.list = grown;
      }
      this.list[this.listLength++] = v;
    }
    this.total = this.listLength;
  }

  /**
   * The p-th percentiles (0..100) with numpy's default 'linear' method, exactly: r = p/100*(N-1),
   * value = lerp(v[floor r], v[floor r + 1], r - floor r) with numpy's two-sided lerp.
   */
  percentiles(ps: number[]): number[] | null {
    if (this.total === 0) return null;
    if (this.histogram) return ps.map((p) => percentileFromHistogram(this.histogram!, this.total, p));
    const sorted = this.list.subarray(0, this.listLength).sort();
    return ps.map((p) => percentileFromSorted(sorted, p));
  }
}

/** numpy's _lerp: a + (b - a) * t, computed from b's side when t >= 0.5. */
export function numpyLerp(a: number, b: number, t: number): number {
  const diff = b - a;
  return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
}

function virtualIndex(p: number, n: number): { below: number; fraction: number } {
  const r = (p / 100) * (n - 1);
  const below = Math.min(Math.floor(r), n - 1);
  return { below, fraction: r - below };
}

export function percentileFromSorted(sorted: ArrayLike<number>, p: number): number {
  const { below, fraction } = virtualIndex(p, sorted.length);
  const above = Math.min(below + 1, sorted.length - 1);
  return numpyLerp(sorted[below]!, sorted[above]!, fraction);
}

/** Same as percentileFromSorted on the values a histogram counts (bin index = value). */
export function percentileFromHistogram(histogram: Float64Array, total: number, p: number): number {
  const { below, fraction } = virtualIndex(p, total);
  const above = Math.min(below + 1, total - 1);
  return numpyLerp(valueAtRank(histogram, below), valueAtRank(histogram, above), fraction);
}

function valueAtRank(histogram: Float64Array, rank: number): number {
  let seen = 0;
  for (let value = 0; value < histogram.length; value++) {
    seen += histogram[value]!;
    if (seen > rank) return value;
  }
  throw new RangeError(`rank ${rank} beyond ${seen} counted values`);
}
