import { RobustFitter } from './robust-fitter.js';

/**
 * Tmask's per-pixel time-series model (Zhu and Woodcock 2014): a harmonic seasonal model
 * rho(t) = a0 + a1 cos(2 pi t / T) + b1 sin(2 pi t / T) [+ a2 cos(2 pi t / (N T)) + b2 sin(2 pi t / (N T))],
 * T = 365.25 days, N the span in years, fitted by robust iteratively reweighted least squares
 * (bisquare weights, tuning 4.685, scale = MAD / 0.6745 of the residuals: robust-fitter.ts).
 */

export const YEAR_DAYS = 365.25;

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

/**
 * Robust (bisquare IRLS) fit of the model with `m` coefficients to observations `y` at rows `x`
 * (n x m, row-major). Returns the coefficients, or null when the system is singular. One fit:
 * loops over pixels use a RobustFitter, which allocates nothing per fit.
 */
export function robustFit(x: Float64Array, y: Float64Array, n: number, m: number, iterations = 5): Float64Array | null {
  const beta = new Float64Array(m);
  const index = Int32Array.from({ length: n }, (_, j) => j);
  return new RobustFitter(n).fit(x, m, index, y, n, m, beta, iterations) ? beta : null;
}

/** The model's value at the design row starting at `rows[offset]`. */
export function predict(beta: Float64Array, rows: Float64Array, m: number, offset = 0): number {
  let p = 0;
  for (let r = 0; r < m; r++) p += beta[r]! * rows[offset + r]!;
  return p;
}
