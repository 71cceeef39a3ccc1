import { solve } from '../../src/baselines/robust-fitter.js';
import { medianInPlace } from '../../src/util/robust-statistics.js';

/**
 * The oracle for RobustFitter: Tmask's bisquare IRLS as first written (fresh arrays every
 * iteration, the full X^T W X by the textbook double loop, the median by a full sort). Kept only
 * here, to check the fast fitter against. The linear solve (Gaussian elimination with partial
 * pivoting) is the fitter's own `solve`: RobustFitter did not restructure it.
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
    if (!solve(a, b, m)) return beta;
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
