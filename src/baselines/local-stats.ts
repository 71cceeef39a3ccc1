/**
 * Mean and standard deviation of the valid (non-NaN) values in a (2 radius + 1)^2 box around
 * every pixel of a `width` x `rows` band, clipped at the borders (integral images).
 */
export function boxMeanStd(band: Float32Array, width: number, rows: number, radius: number): { mean: Float32Array; std: Float32Array } {
  const stride = width + 1;
  const sum = new Float64Array((rows + 1) * stride);
  const sq = new Float64Array((rows + 1) * stride);
  const cnt = new Int32Array((rows + 1) * stride);
  for (let y = 0; y < rows; y++) {
    let rs = 0;
    let rq = 0;
    let rc = 0;
    for (let x = 0; x < width; x++) {
      const v = band[y * width + x]!;
      if (!Number.isNaN(v)) {
        rs += v;
        rq += v * v;
        rc++;
      }
      const at = (y + 1) * stride + x + 1;
      const above = y * stride + x + 1;
      sum[at] = sum[above]! + rs;
      sq[at] = sq[above]! + rq;
      cnt[at] = cnt[above]! + rc;
    }
  }
  const mean = new Float32Array(width * rows);
  const std = new Float32Array(width * rows);
  for (let y = 0; y < rows; y++) {
    const y0 = Math.max(0, y - radius) * stride;
    const y1 = Math.min(rows, y + radius + 1) * stride;
    for (let x = 0; x < width; x++) {
      const x0 = Math.max(0, x - radius);
      const x1 = Math.min(width, x + radius + 1);
      const c = cnt[y1 + x1]! - cnt[y0 + x1]! - cnt[y1 + x0]! + cnt[y0 + x0]!;
      const i = y * width + x;
      if (c === 0) {
        mean[i] = std[i] = Number.NaN;
        continue;
      }
      const s = sum[y1 + x1]! - sum[y0 + x1]! - sum[y1 + x0]! + sum[y0 + x0]!;
      const q = sq[y1 + x1]! - sq[y0 + x1]! - sq[y1 + x0]! + sq[y0 + x0]!;
      const m = s / c;
      mean[i] = m;
      std[i] = Math.sqrt(Math.max(0, q / c - m * m));
    }
  }
  return { mean, std };
}
