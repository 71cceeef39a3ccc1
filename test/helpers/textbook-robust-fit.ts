import { medianInPlace } from '../../src/util/robust-statistics.js';

/**
 * The oracle for RobustFitter: Tmask's bisquare IRLS as first written (fresh arrays every
 * iteration, the full X^T W X by the textbook double loop, Gaussian elimination with partial
 * pivoting, the median by a full sort). Kept only here, to check the fast fitter against.
 */
export function textbookRobustFit(x: Float64Array, y: Float64Array, n: number, m: number, iterations = 5): Float64Array | null {
  const weights = new Float64Array(n).fill(1);
  const residual = new Float64Array(n);
  let beta: Float64Array | null = null;
  for (let it = 0; it <= iterations; it++) {
    const a = new Float64Array(m * m);
    const b = new Float64Array(m);
    for (let i = 0; i < n; i++) {
      const w = weights[i]!;
      if (w === 0) continue;
      for (let r = 0; r < m; r++) {
        b[r]! += w * x[i * m + r]! * y[i]!;
        for (let c = 0; c < m; c++) a[r * m + c]! += w * x[i * m + r]! * x[i * m + c]!;
      }
    }
    if (!textbookSolve(a, b, m)) return beta;
    beta = b;
    for (let i = 0; i < n; i++) {
      let p = 0;
      for (let r = 0; r < m; r++) p += x[i * m + r]! * b[r]!;
      residual[i] = y[i]! - p;
    }
    const scale = medianInPlace(residual.map(Math.abs), n) / 0.6745;
    if (scale < 1e-9) break;
    for (let i = 0; i < n; i++) {
      const u = residual[i]! / (4.685 * scale);
      weights[i] = Math.abs(u) < 1 ? (1 - u * u) ** 2 : 0;
    }
  }
  return beta;
}

function textbookSolve(a: Float64Array, b: Float64Array, m: number): boolean {
  for (let c = 0; c < m; c++) {
    let pivot = c;
    for (let r = c + 1; r < m; r++) if (Math.abs(a[r * m + c]!) > Math.abs(a[pivot * m + c]!)) pivot = r;
    if (Math.abs(a[pivot * m + c]!) < 1e-10) return false;
    if (pivot !== c) {
      for (let j = 0; j < m; j++) [a[c * m + j], a[pivot * m + j]] = [a[pivot * m + j]!, a[c * m + j]!];
      [b[c], b[pivot]] = [b[pivot]!, b[c]!];
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
