/** Mask values written to `*_cloudmask.tif`. */
export const CLEAR = 0;
export const CLOUD = 1;
export const SHADOW = 2;
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
 * Streams a cloud + shadow mask (0 clear, 1 cloud, 2 shadow, 255 nodata) through the --buffer:
 * cloud grows by a disk of `cloudRadius`, shadow by a disk of `shadowRadius`, into clear pixels
 * only (cloud wins where both reach; nodata stays nodata and spreads nothing). Holds 2 * max
 * radius + one strip of rows. Each output row is the OR over the disk's rows of a horizontal run
 * test done with prefix counts: O(width * (2 * radius + 1)) per row. A cloud-only mask is the
 * case shadowRadius 0.
 */
export class StreamingClassDilation {
  private readonly radius: number;
  private readonly raw: Uint8Array[] = [];
  private readonly prefixes: { cloud: Int32Array; shadow: Int32Array }[] = [];
  private readonly halfWidths: { cloud: Int32Array; shadow: Int32Array };
  private firstKept = 0;
  private received = 0;
  private emitted = 0;

  constructor(
    private readonly width: number,
    private readonly height: number,
    private readonly cloudRadius: number,
    private readonly shadowRadius: number,
  ) {
    this.radius = Math.max(cloudRadius, shadowRadius);
    this.halfWidths = { cloud: diskHalfWidths(cloudRadius), shadow: diskHalfWidths(shadowRadius) };
  }

  /** Adds full-width rows; returns the rows now final and their first row index. */
  push(rows: Uint8Array): { y: number; rows: Uint8Array } {
    const count = rows.length / this.width;
    for (let r = 0; r < count; r++) {
      const row = rows.slice(r * this.width, (r + 1) * this.width);
      this.raw.push(row);
      this.prefixes.push({ cloud: classPrefix(row, CLOUD, this.cloudRadius), shadow: classPrefix(row, SHADOW, this.shadowRadius) });
    }
    this.received += count;
    const ready = this.received === this.height ? this.height : Math.max(this.emitted, this.received - this.radius);
    const y = this.emitted;
    const out = new Uint8Array((ready - y) * this.width);
    for (let row = y; row < ready; row++) this.dilateRow(row, out.subarray((row - y) * this.width, (row - y + 1) * this.width));
    this.emitted = ready;
    const drop = Math.max(0, ready - this.radius - this.firstKept);
    this.raw.splice(0, drop);
    this.prefixes.splice(0, drop);
    this.firstKept += drop;
    return { y, rows: out };
  }

  private dilateRow(row: number, out: Uint8Array): void {
    out.set(this.raw[row - this.firstKept]!);
    this.spread(row, out, CLOUD, this.cloudRadius, this.halfWidths.cloud, 'cloud');
    this.spread(row, out, SHADOW, this.shadowRadius, this.halfWidths.shadow, 'shadow');
  }

  private spread(row: number, out: Uint8Array, value: number, radius: number, halfWidths: Int32Array, key: 'cloud' | 'shadow'): void {
    if (radius === 0) return;
    const width = this.width;
    for (let dy = -radius; dy <= radius; dy++) {
      const other = row + dy;
      if (other < 0 || other >= this.height) continue;
      const prefix = this.prefixes[other - this.firstKept]![key];
      if (prefix[width] === 0) continue;
      const half = halfWidths[dy + radius]!;
      for (let c = 0; c < width; c++) {
        if (out[c] !== CLEAR) continue;
        if (prefix[Math.min(width, c + half + 1)]! - prefix[Math.max(0, c - half)]! > 0) out[c] = value;
      }
    }
  }
}

const NO_PREFIX = new Int32Array(0);

/** Running count of `value` along the row (none needed when that class does not spread). */
function classPrefix(row: Uint8Array, value: number, radius: number): Int32Array {
  if (radius === 0) return NO_PREFIX;
  const prefix = new Int32Array(row.length + 1);
  for (let i = 0; i < row.length; i++) prefix[i + 1] = prefix[i]! + (row[i] === value ? 1 : 0);
  return prefix;
}
