import { medianBySelection } from '../util/robust-statistics.js';

export const BISQUARE_TUNING = 4.685;
/** Most coefficients of Tmask's model. */
const MAX_TERMS = 5;

/** Solves the m x m system A x = b in place (Gaussian elimination with partial pivoting); false when singular. */
export function solve(a: Float64Array, b: Float64Array, m: number): boolean {
  for (let c = 0; c < m; c++) {
    let pivot = c;
    for (let r = c + 1; r < m; r++) if (Math.abs(a[r * m + c]!) > Math.abs(a[pivot * m + c]!)) pivot = r;
    if (Math.abs(a[pivot * m + c]!) < 1e-10) return false;
    if (pivot !== c) {
      for (let j = 0; j < m; j++) {
        const swap = a[c * m + j]!;
        a[c * m + j] = a[pivot * m + j]!;
        a[pivot * m + j] = swap;
      }
      const swap = b[c]!;
      b[c] = b[pivot]!;
      b[pivot] = swap;
    }
    for (let r = c + 1; r < m; r++) {
      const f = a[r * m + c]! / a[c * m + c]!;
      for (let j = c; j < m; j++) a[r * m + j]! -= f * a[c * m + j]!;
      b[r]! -= f * b[c]!;
    }
  }
  for (let r = m - 1; r >= 0; r--) {
    let s = b[r]!;
    for (let j = r + 1; j < m; j++) s -= a[r * m + j]! * b[j]!;
    b[r] = s / a[r * m + r]!;
  }
  return true;
}

/**
 * Tmask's robust fit (bisquare IRLS, tuning 4.685, scale = MAD / 0.6745, 5 reweightings) with its
 * workspace allocated once, for fitting millions of pixels: nothing is allocated per fit, and the
 * observations are rows of a shared design matrix picked by index (no copy per pixel). The
 * arithmetic is the textbook loop's, term for term and in the same order (X^T W X summed over the
 * observations in order, full matrix, then Gaussian elimination), so the coefficients are the
 * same to the bit; the 5-term sums are unrolled into locals, the median is found by selection.
 */
export class RobustFitter {
  private readonly weights: Float64Array;
  private readonly residual: Float64Array;
  private readonly absolute: Float64Array;
  /** X^T W X (m x m, row-major) and X^T W y of the current iteration; solve overwrites them. */
  private readonly normal = new Float64Array(MAX_TERMS * MAX_TERMS);
  private readonly rhs = new Float64Array(MAX_TERMS);

  /** `capacity`: the most observations one fit will get. */
  constructor(readonly capacity: number) {
    this.weights = new Float64Array(capacity);
    this.residual = new Float64Array(capacity);
    this.absolute = new Float64Array(capacity);
  }

  /**
   * Fits the model's first `m` (1 to 5) coefficients to `y[0..n)`, observation j at design row
   * `index[j]` (its terms at rows[index[j] * stride + r]). Writes the coefficients into `beta`;
   * false when the first system is singular (a later singular one keeps the last coefficients).
   */
  fit(rows: Float64Array, stride: number, index: Int32Array, y: Float64Array, n: number, m: number, beta: Float64Array, iterations = 5): boolean {
    if (n > this.capacity) throw new RangeError(`robust fit of ${n} observations in a workspace for ${this.capacity}`);
    if (m < 1 || m > MAX_TERMS || m > stride) throw new RangeError(`robust fit of ${m} coefficients (1 to ${Math.min(MAX_TERMS, stride)})`);
    const { weights, residual, absolute, normal, rhs } = this;
    weights.fill(1, 0, n);
    let fitted = false;
    for (let it = 0; it <= iterations; it++) {
      if (m === MAX_TERMS) this.sumFiveTerms(rows, stride, index, y, n);
      else this.sumTerms(rows, stride, index, y, n, m);
      if (!solve(normal, rhs, m)) return fitted;
      for (let r = 0; r < m; r++) beta[r] = rhs[r]!;
      fitted = true;
      if (m === MAX_TERMS) this.fiveTermResiduals(rows, stride, index, y, n);
      else {
        for (let j = 0; j < n; j++) {
          const o = index[j]! * stride;
          let p = 0;
          for (let r = 0; r < m; r++) p += rows[o + r]! * rhs[r]!;
          residual[j] = y[j]! - p;
          absolute[j] = Math.abs(residual[j]!);
        }
      }
      const scale = medianBySelection(absolute, n) / 0.6745;
      if (scale < 1e-9) break;
      for (let j = 0; j < n; j++) {
        const u = residual[j]! / (BISQUARE_TUNING * scale);
        weights[j] = Math.abs(u) < 1 ? (1 - u * u) ** 2 : 0;
      }
    }
    return fitted;
  }

  /** X^T W X and X^T W y for any m. */
  private sumTerms(rows: Float64Array, stride: number, index: Int32Array, y: Float64Array, n: number, m: number): void {
    const { weights, normal, rhs } = this;
    normal.fill(0, 0, m * m);
    rhs.fill(0, 0, m);
    for (let j = 0; j < n; j++) {
      const w = weights[j]!;
      if (w === 0) continue;
      const o = index[j]! * stride;
      for (let r = 0; r < m; r++) {
        const wx = w * rows[o + r]!;
        rhs[r]! += wx * y[j]!;
        for (let c = 0; c < m; c++) normal[r * m + c]! += wx * rows[o + c]!;
      }
    }
  }

  /** sumTerms for m = 5, unrolled into locals (the same products, summed in the same order). */
  private sumFiveTerms(rows: Float64Array, stride: number, index: Int32Array, y: Float64Array, n: number): void {
    const weights = this.weights;
    let a00 = 0, a01 = 0, a02 = 0, a03 = 0, a04 = 0;
    let a10 = 0, a11 = 0, a12 = 0, a13 = 0, a14 = 0;
    let a20 = 0, a21 = 0, a22 = 0, a23 = 0, a24 = 0;
    let a30 = 0, a31 = 0, a32 = 0, a33 = 0, a34 = 0;
    let a40 = 0, a41 = 0, a42 = 0, a43 = 0, a44 = 0;
    let b0 = 0, b1 = 0, b2 = 0, b3 = 0, b4 = 0;
    for (let j = 0; j < n; j++) {
      const w = weights[j]!;
      if (w === 0) continue;
      const o = index[j]! * stride;
      const x0 = rows[o]!, x1 = rows[o + 1]!, x2 = rows[o + 2]!, x3 = rows[o + 3]!, x4 = rows[o + 4]!;
      const yj = y[j]!;
      const w0 = w * x0, w1 = w * x1, w2 = w * x2, w3 = w * x3, w4 = w * x4;
      b0 += w0 * yj; b1 += w1 * yj; b2 += w2 * yj; b3 += w3 * yj; b4 += w4 * yj;
      a00 += w0 * x0; a01 += w0 * x1; a02 += w0 * x2; a03 += w0 * x3; a04 += w0 * x4;
      a10 += w1 * x0; a11 += w1 * x1; a12 += w1 * x2; a13 += w1 * x3; a14 += w1 * x4;
      a20 += w2 * x0; a21 += w2 * x1; a22 += w2 * x2; a23 += w2 * x3; a24 += w2 * x4;
      a30 += w3 * x0; a31 += w3 * x1; a32 += w3 * x2; a33 += w3 * x3; a34 += w3 * x4;
      a40 += w4 * x0; a41 += w4 * x1; a42 += w4 * x2; a43 += w4 * x3; a44 += w4 * x4;
    }
    const a = this.normal;
    a[0] = a00; a[1] = a01; a[2] = a02; a[3] = a03; a[4] = a04;
    a[5] = a10; a[6] = a11; a[7] = a12; a[8] = a13; a[9] = a14;
    a[10] = a20; a[11] = a21; a[12] = a22; a[13] = a23; a[14] = a24;
    a[15] = a30; a[16] = a31; a[17] = a32; a[18] = a33; a[19] = a34;
    a[20] = a40; a[21] = a41; a[22] = a42; a[23] = a43; a[24] = a44;
    const b = this.rhs;
    b[0] = b0; b[1] = b1; b[2] = b2; b[3] = b3; b[4] = b4;
  }

  /** The residuals of the 5-term model (its value summed term by term from 0, as predict does). */
  private fiveTermResiduals(rows: Float64Array, stride: number, index: Int32Array, y: Float64Array, n: number): void {
    const { residual, absolute, rhs } = this;
    const b0 = rhs[0]!, b1 = rhs[1]!, b2 = rhs[2]!, b3 = rhs[3]!, b4 = rhs[4]!;
    for (let j = 0; j < n; j++) {
      const o = index[j]! * stride;
      const p = 0 + rows[o]! * b0 + rows[o + 1]! * b1 + rows[o + 2]! * b2 + rows[o + 3]! * b3 + rows[o + 4]! * b4;
      const e = y[j]! - p;
      residual[j] = e;
      absolute[j] = Math.abs(e);
    }
  }
}
