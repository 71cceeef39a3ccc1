import { WINDOW_CLOUD } from './shadow-types.js';

/**
 * Searches the shadow direction of a window when no sun angles are known: the shift of the
 * cloud mask that lands it on the most dark pixels (darkness >= `darkFrom`, above their
 * window-wide share), computed on blocks of `factor` x `factor` pixels for every shift between
 * `minShift` and `maxShift` pixels.
 * Returns the unit direction and the shift, or null when no shift does better than chance.
 */
export function searchDirection(
  cloud: Uint8Array,
  dark: Float32Array,
  width: number,
  height: number,
  minShift: number,
  maxShift: number,
  darkFrom = 0.5,
): { x: number; y: number; shift: number } | null {
  const factor = Math.max(1, Math.ceil(maxShift / 40));
  const bw = Math.ceil(width / factor);
  const bh = Math.ceil(height / factor);
  const cloudShare = new Float32Array(bw * bh);
  const darkShare = new Float32Array(bw * bh);
  const valid = new Float32Array(bw * bh);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      const b = Math.floor(y / factor) * bw + Math.floor(x / factor);
      if (cloud[i] === WINDOW_CLOUD) cloudShare[b] += 1;
      const d = dark[i]!;
      if (!Number.isNaN(d)) {
        valid[b] += 1;
        if (d >= darkFrom) darkShare[b] += 1;
      }
    }
  }
  let darkTotal = 0;
  let validTotal = 0;
  let cloudTotal = 0;
  for (let b = 0; b < bw * bh; b++) {
    darkTotal += darkShare[b]!;
    validTotal += valid[b]!;
    cloudTotal += cloudShare[b]!;
    if (valid[b]! > 0) darkShare[b] = darkShare[b]! / valid[b]!;
    cloudShare[b] = cloudShare[b]! / (factor * factor);
  }
  if (cloudTotal === 0 || validTotal === 0) return null;
  const chance = darkTotal / validTotal;
  const reach = Math.ceil(maxShift / factor);
  const least = minShift / factor;
  // Only blocks with cloud count, so every shift visits those alone (in row order, so that the
  // sums add up in the same order as over the whole grid).
  const cloudy = cloudyBlocks(cloudShare, bw, bh);
  const aboveChance = new Float64Array(bw * bh);
  for (let b = 0; b < bw * bh; b++) aboveChance[b] = valid[b] === 0 ? Number.NaN : darkShare[b]! - chance;
  let best = 0;
  let bestShift: [number, number] | null = null;
  for (let sy = -reach; sy <= reach; sy++) {
    for (let sx = -reach; sx <= reach; sx++) {
      const r = Math.hypot(sx, sy);
      if (r < Math.max(1, least) || r > reach) continue;
      let score = 0;
      let weight = 0;
      const yFrom = Math.max(0, -sy);
      const yTo = Math.min(bh, bh - sy);
      const xFrom = Math.max(0, -sx);
      const xTo = Math.min(bw, bw - sx);
      for (let k = 0; k < cloudy.count; k++) {
        const y = cloudy.ys[k]!;
        if (y < yFrom) continue;
        if (y >= yTo) break;
        const x = cloudy.xs[k]!;
        if (x < xFrom || x >= xTo) continue;
        const above = aboveChance[(y + sy) * bw + x + sx]!;
        if (Number.isNaN(above)) continue;
        const c = cloudy.shares[k]!;
        score += c * above;
        weight += c;
      }
      const value = weight > 0 ? score / weight : 0;
      if (value > best) {
        best = value;
        bestShift = [sx, sy];
      }
    }
  }
  if (!bestShift || best < 0.1) return null;
  const length = Math.hypot(bestShift[0], bestShift[1]);
  return { x: bestShift[0] / length, y: bestShift[1] / length, shift: length * factor };
}

/** The blocks with some cloud, in row order: their coordinates and cloud share. */
function cloudyBlocks(cloudShare: Float32Array, bw: number, bh: number): { count: number; xs: Int32Array; ys: Int32Array; shares: Float32Array } {
  let count = 0;
  for (let b = 0; b < bw * bh; b++) if (cloudShare[b] !== 0) count++;
  const xs = new Int32Array(count);
  const ys = new Int32Array(count);
  const shares = new Float32Array(count);
  let k = 0;
  for (let y = 0; y < bh; y++) {
    for (let x = 0; x < bw; x++) {
      const c = cloudShare[y * bw + x]!;
      if (c === 0) continue;
      xs[k] = x;
      ys[k] = y;
      shares[k++] = c;
    }
  }
  return { count, xs, ys, shares };
}
