/**
 * Collects a decimated copy of per-pixel values while a scene is read strip by strip, so
 * report pictures never need the whole scene in memory: every `step`-th row and column.
 */
export class PictureSampler<T extends Uint8Array | Float32Array> {
  readonly width: number;
  readonly height: number;
  readonly data: T;

  constructor(
    readonly fullWidth: number,
    readonly fullHeight: number,
    readonly step: number,
    make: (n: number) => T,
    readonly channels = 1,
  ) {
    this.width = Math.ceil(fullWidth / step);
    this.height = Math.ceil(fullHeight / step);
    this.data = make(this.width * this.height * channels);
  }

  /** Step so that the larger side is at most `maxSide` pixels. */
  static stepFor(width: number, height: number, maxSide: number): number {
    return Math.max(1, Math.ceil(Math.max(width, height) / maxSide));
  }

  /** Takes the sampled pixels of full-width rows [y0, y0 + rows) from `values` (channel c). */
  addStrip(y0: number, rows: number, values: ArrayLike<number>, channel = 0): void {
    const firstRow = Math.ceil(y0 / this.step) * this.step;
    for (let y = firstRow; y < y0 + rows; y += this.step) {
      const outRow = y / this.step;
      for (let x = 0, outCol = 0; x < this.fullWidth; x += this.step, outCol++) {
        this.data[(outRow * this.width + outCol) * this.channels + channel] = values[(y - y0) * this.fullWidth + x]!;
      }
    }
  }
}
