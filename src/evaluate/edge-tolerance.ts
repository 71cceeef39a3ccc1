import { NODATA } from '../masks/mask-classes.js';
import { isPositive, type PositiveClass } from './confusion.js';

/**
 * Flags the pixels within `radius` pixels (square neighbourhood, Chebyshev distance) of a
 * reference boundary between positive and valid non-positive pixels: the band where labels
 * of cloud edges disagree by construction. `ref` covers `rows` full-width rows that include
 * `haloTop` rows above and `haloBottom` rows below the core rows; the result covers the core only.
 */
export function edgeIgnoreMask(
  ref: Uint8Array,
  width: number,
  rows: number,
  haloTop: number,
  haloBottom: number,
  radius: number,
  positive: PositiveClass,
): Uint8Array {
  const coreRows = rows - haloTop - haloBottom;
  const ignore = new Uint8Array(coreRows * width);
  if (radius <= 0) return ignore;
  // Integral images (one extra row and column of zeros) of positive and valid-negative counts.
  const stride = width + 1;
  const pos = new Int32Array((rows + 1) * stride);
  const neg = new Int32Array((rows + 1) * stride);
  for (let y = 0; y < rows; y++) {
    let rowPos = 0;
    let rowNeg = 0;
    for (let x = 0; x < width; x++) {
      const c = ref[y * width + x]!;
      if (c !== NODATA) {
        if (isPositive(c, positive)) rowPos++;
        else rowNeg++;
      }
      pos[(y + 1) * stride + x + 1] = pos[y * stride + x + 1]! + rowPos;
      neg[(y + 1) * stride + x + 1] = neg[y * stride + x + 1]! + rowNeg;
    }
  }
  const box = (sum: Int32Array, y0: number, y1: number, x0: number, x1: number) =>
    sum[y1 * stride + x1]! - sum[y0 * stride + x1]! - sum[y1 * stride + x0]! + sum[y0 * stride + x0]!;
  for (let cy = 0; cy < coreRows; cy++) {
    const y = cy + haloTop;
    const y0 = Math.max(0, y - radius);
    const y1 = Math.min(rows, y + radius + 1);
    for (let x = 0; x < width; x++) {
      const x0 = Math.max(0, x - radius);
      const x1 = Math.min(width, x + radius + 1);
      if (box(pos, y0, y1, x0, x1) > 0 && box(neg, y0, y1, x0, x1) > 0) ignore[cy * width + x] = 1;
    }
  }
  return ignore;
}
