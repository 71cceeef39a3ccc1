import { medianInPlace } from '../util/robust-statistics.js';

/**
 * Tmask's per-pixel time-series model (Zhu and Woodcock 2014): a harmonic seasonal model
 * rho(t) = a0 + a1 cos(2 pi t / T) + b1 sin(2 pi t / T) [+ a2 cos(2 pi t / (N T)) + b2 sin(2 pi t / (N T))],
 * T = 365.25 days, N the span in years, fitted by robust iteratively reweighted least squares
 * (bisquare weights, tuning 4.685, scale = MAD / 0.6745 of the residuals).
 */

export const YEAR_DAYS = 365.25;
export const BISQUARE_TUNING = 4.685;

/** Design row of the model with `coefficients` terms (1, 3 or 5) at day `t`. */
export function designRow(t: number, coefficients: number, years: number, into: Float64Array): void {
  const w = (2 * Math.PI * t) / YEAR_DAYS;
  into[0] = 1;
  if (coefficients >= 3) {
    into[1] = Math.cos(w);
    into[2] = Math.sin(w);
  }
  if (coefficients >= 5) {
    into[3] = Math.cos(w / years);
    into[4] = Math.sin(w / years);
  }
}

/** Solves the m x m system A x = b in place (Gaussian elimination with partial pivoting); false when singular. */
export function solve(a: Float64Array, b: Float64Array, m: number): boolean {
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

/**
 * Robust (bisquare IRLS) fit of the model with `m` coefficients to observations `y` at rows `x`
 * (n x m, row-major). Returns the coefficients, or null when the system is singular.
 */
export function robustFit(x: Float64Array, y: Float64Array, n: number, m: number, iterations = 5): Float64Array | null {
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
    const abs = residual.map(Math.abs);
    const scale = medianInPlace(abs, n) / 0.6745;
    if (scale < 1e-9) break;
    for (let i = 0; i < n; i++) {
      const u = residual[i]! / (BISQUARE_TUNING * scale);
      weights[i] = Math.abs(u) < 1 ? (1 - u * u) ** 2 : 0;
    }
  }
  return beta;
}

export function predict(beta: Float64Array, row: Float64Array, m: number): number {
  let p = 0;
  for (let r = 0; r < m; r++) p += beta[r]! * row[r]!;
  return p;
}
