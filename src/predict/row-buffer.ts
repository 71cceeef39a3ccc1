import type { RasterSource, TypedArray } from '../raster/types.js';

/** Reads full-width row ranges of the selected bands (band-sequential, row-major). */
export interface StripReader {
  read(y: number, height: number): Promise<TypedArray[]>;
  close(): Promise<void>;
}

/** Reads strips straight from an open raster, in this thread. */
export function directStripReader(source: RasterSource, bands: number[]): StripReader {
  const width = source.info.width;
  return {
    async read(y, height) {
      return (await source.readWindow({ x: 0, y, width, height }, { bands })).bands;
    },
    async close() {},
  };
}

interface Chunk {
  y: number;
  height: number;
  bands: Promise<TypedArray[]>;
}

/** Chunk height: whole block rows of the file, at least 512 rows. */
export function chunkRowsFor(blockHeight: number): number {
  const block = Math.max(1, Number.isFinite(blockHeight) ? blockHeight : 1);
  return Math.ceil(512 / block) * block;
}

/**
 * Full-width rows of the scene, read in chunks aligned to the file's block rows so that each
 * compressed block is decoded once (tile windows that straddle blocks would decode most blocks
 * 2-4 times), kept only while a tile still needs them, and read ahead: `prefetch` starts reading
 * the rows the next tile row needs while the network runs on this one.
 */
export class RowBuffer {
  private readonly chunks: Chunk[] = [];
  private requestedEnd = 0;

  constructor(
    private readonly reader: StripReader,
    private readonly width: number,
    private readonly height: number,
    private readonly chunkRows: number,
  ) {}

  /** Starts reading (without waiting) every chunk up to row `end`. */
  prefetch(end: number): void {
    while (this.requestedEnd < Math.min(end, this.height)) {
      const y = this.requestedEnd;
      const height = Math.min(this.chunkRows - (y % this.chunkRows), this.height - y);
      const bands = this.reader.read(y, height);
      bands.catch(() => undefined); // awaited by window(); a failure surfaces there
      this.chunks.push({ y, height, bands });
      this.requestedEnd = y + height;
    }
  }

  /** Drops chunks that end at or before row `y`. */
  release(y: number): void {
    while (this.chunks.length > 0 && this.chunks[0]!.y + this.chunks[0]!.height <= y) this.chunks.shift();
  }

  /** Copies the window (x, y, width, height) of every band out of the buffered rows. */
  async window(x: number, y: number, width: number, height: number): Promise<TypedArray[]> {
    this.prefetch(y + height);
    let out: TypedArray[] | undefined;
    for (const chunk of this.chunks) {
      const from = Math.max(y, chunk.y);
      const to = Math.min(y + height, chunk.y + chunk.height);
      if (from >= to) continue;
      const bands = await chunk.bands;
      out ??= bands.map((band) => new (band.constructor as new (length: number) => TypedArray)(width * height));
      bands.forEach((band, b) => {
        for (let row = from; row < to; row++) {
          const start = (row - chunk.y) * this.width + x;
          out![b]!.set(band.subarray(start, start + width), (row - y) * width);
        }
      });
    }
    if (!out) throw new RangeError(`rows ${y}..${y + height} are not buffered`);
    return out;
  }
}
