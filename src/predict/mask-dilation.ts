/** Mask values written to `*_cloudmask.tif`. */
export const CLEAR = 0;
export const CLOUD = 1;
export const MASK_NODATA = 255;
/** Largest --buffer radius in pixels: each output row costs O(width x radius), and 1000 px is already kilometres. */
export const MAX_BUFFER = 1000;

/** Half-widths of a disk of radius r, row by row: pixel (dx, dy) is inside when dx^2 + dy^2 <= r^2. */
export function diskHalfWidths(radius: number): Int32Array {
  const halfWidths = new Int32Array(2 * radius + 1);
  for (let dy = -radius; dy <= radius; dy++) halfWidths[dy + radius] = Math.floor(Math.sqrt(radius * radius - dy * dy));
  return halfWidths;
}

/**
 * Streams a cloud mask through a dilation by a disk of `radius` pixels (Euclidean: a clear pixel
 * becomes cloud when a cloud pixel lies within `radius`), row strip by row strip, holding only
 * 2*radius + one strip of rows. Nodata pixels stay nodata and do not spread cloud. Each output
 * row is the OR over the disk's rows of a horizontal run test done with prefix counts, so the
 * cost is O(width * (2*radius + 1)) per row whatever the radius.
 */
export class StreamingDilation {
  private readonly halfWidths: Int32Array;
  /** Raw rows (not yet dilated) and their cloud prefix counts, from row `firstKept` on. */
  private readonly raw: Uint8Array[] = [];
  private readonly prefix: Int32Array[] = [];
  private firstKept = 0;
  private received = 0;
  private emitted = 0;

  constructor(
    private readonly width: number,
    private readonly height: number,
    private readonly radius: number,
  ) {
    this.halfWidths = diskHalfWidths(radius);
  }

  /** Adds `rows` full-width rows (row-major); returns the rows now final (possibly none) and their first row index. */
  push(rows: Uint8Array): { y: number; rows: Uint8Array } {
    const count = rows.length / this.width;
    for (let r = 0; r < count; r++) {
      const row = rows.slice(r * this.width, (r + 1) * this.width);
      this.raw.push(row);
      this.prefix.push(this.radius > 0 ? cloudPrefix(row) : new Int32Array(0));
    }
    this.received += count;
    const ready = this.received === this.height ? this.height : Math.max(this.emitted, this.received - this.radius);
    return this.emitUpTo(ready);
  }

  private emitUpTo(end: number): { y: number; rows: Uint8Array } {
    const y = this.emitted;
    const out = new Uint8Array((end - y) * this.width);
    for (let row = y; row < end; row++) this.dilateRow(row, out.subarray((row - y) * this.width, (row - y + 1) * this.width));
    this.emitted = end;
    const drop = Math.max(0, end - this.radius - this.firstKept);
    this.raw.splice(0, drop);
    this.prefix.splice(0, drop);
    this.firstKept += drop;
    return { y, rows: out };
  }

  private dilateRow(row: number, out: Uint8Array): void {
    const source = this.raw[row - this.firstKept]!;
    out.set(source);
    if (this.radius === 0) return;
    const width = this.width;
    for (let dy = -this.radius; dy <= this.radius; dy++) {
      const other = row + dy;
      if (other < 0 || other >= this.height) continue;
      const prefix = this.prefix[other - this.firstKept]!;
      if (prefix[width] === 0) continue;
      const half = this.halfWidths[dy + this.radius]!;
      for (let c = 0; c < width; c++) {
        if (out[c] !== CLEAR) continue;
        const from = Math.max(0, c - half);
        const to = Math.min(width, c + half + 1);
        if (prefix[to]! - prefix[from]! > 0) out[c] = CLOUD;
      }
    }
  }
}

function cloudPrefix(row: Uint8Array): Int32Array {
  const prefix = new Int32Array(row.length + 1);
  for (let i = 0; i < row.length; i++) prefix[i + 1] = prefix[i]! + (row[i] === CLOUD ? 1 : 0);
  return prefix;
}
