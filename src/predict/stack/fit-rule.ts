/**
 * Fits the coefficients of the stack fusion rule (stack-rule.ts) by weighted logistic regression
 * (Newton's method on 4 parameters), on per-pixel features with known cloud labels.
 */
export interface RuleSample {
  z: Float32Array;
  residual: Float32Array;
  zscore: Float32Array;
  label: Uint8Array;
  /** Weight of each sample (e.g. 1 / pixels of its set, so that every set counts the same). */
  weight: Float32Array;
}

export function fitLogistic(samples: RuleSample[], ridge = 1e-3, iterations = 25): { bias: number; logit: number; residual: number; zscore: number } {
  const beta = [0, 1, 0, 0];
  for (let it = 0; it < iterations; it++) {
    const g = [0, 0, 0, 0];
    const h = Array.from({ length: 4 }, () => [0, 0, 0, 0]);
    for (const s of samples) {
      for (let i = 0; i < s.label.length; i++) {
        const x = [1, s.z[i]!, s.residual[i]!, s.zscore[i]!];
        const eta = beta[0]! + beta[1]! * x[1]! + beta[2]! * x[2]! + beta[3]! * x[3]!;
        const p = 1 / (1 + Math.exp(-eta));
        const w = s.weight[i]!;
        const r = (p - s.label[i]!) * w;
        const v = p * (1 - p) * w;
        for (let a = 0; a < 4; a++) {
          g[a] += r * x[a]!;
          for (let b = 0; b < 4; b++) h[a]![b] += v * x[a]! * x[b]!;
        }
      }
    }
    for (let a = 0; a < 4; a++) {
      g[a] += ridge * (a === 1 ? beta[a]! - 1 : beta[a]!);
      h[a]![a] += ridge;
    }
    const step = solve(h, g);
    for (let a = 0; a < 4; a++) beta[a] -= step[a]!;
    if (Math.max(...step.map(Math.abs)) < 1e-7) break;
  }
  return { bias: beta[0]!, logit: beta[1]!, residual: beta[2]!, zscore: beta[3]! };
}

/** Gaussian elimination with partial pivoting. */
function solve(a: number[][], b: number[]): number[] {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]!]);
  for (let c = 0; c < n; c++) {
    let pivot = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r]![c]!) > Math.abs(m[pivot]![c]!)) pivot = r;
    [m[c], m[pivot]] = [m[pivot]!, m[c]!];
    for (let r = c + 1; r < n; r++) {
      const f = m[r]![c]! / m[c]![c]!;
      for (let k = c; k <= n; k++) m[r]![k] -= f * m[c]![k]!;
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = m[r]![n]!;
    for (let k = r + 1; k < n; k++) s -= m[r]![k]! * x[k]!;
    x[r] = s / m[r]![r]!;
  }
  return x;
}
