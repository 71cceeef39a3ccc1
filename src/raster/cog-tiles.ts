/** Tile buffers of the COG writer: filling from windows, 2x downsampling, predictor + DEFLATE encoding. */
import { promisify } from 'node:util';
import { deflate } from 'node:zlib';
import type { TypedArray } from './types.js';

export type CogSampleType = 'uint8' | 'uint16' | 'float32';

/** A square, pixel-interleaved tile buffer: data[(row * size + col) * bands + band]. */
export interface TileBuffer {
  data: Uint8Array | Uint16Array | Float32Array;
  /** Pixels of the tile's valid (inside the image) area filled so far. */
  filled: number;
}

export function createTileData(type: CogSampleType, size: number, bands: number): Uint8Array | Uint16Array | Float32Array {
  const length = size * size * bands;
  if (type === 'uint8') return new Uint8Array(length);
  if (type === 'uint16') return new Uint16Array(length);
  return new Float32Array(length);
}

export function arrayTypeMatches(type: CogSampleType, array: TypedArray): boolean {
  if (type === 'uint8') return array instanceof Uint8Array;
  if (type === 'uint16') return array instanceof Uint16Array;
  return array instanceof Float32Array;
}

/**
 * Copies a w x h rectangle from band-sequential window data (row length `sourceWidth`, starting at
 * sourceX, sourceY) into the tile at tileX, tileY.
 */
export function copyIntoTile(
  tile: TileBuffer['data'],
  tileSize: number,
  bands: TypedArray[],
  sourceWidth: number,
  sourceX: number,
  sourceY: number,
  tileX: number,
  tileY: number,
  width: number,
  height: number,
): void {
  const bandCount = bands.length;
  for (let b = 0; b < bandCount; b++) {
    const source = bands[b];
    for (let row = 0; row < height; row++) {
      let from = (sourceY + row) * sourceWidth + sourceX;
      let to = ((tileY + row) * tileSize + tileX) * bandCount + b;
      for (let col = 0; col < width; col++, from++, to += bandCount) tile[to] = source[from];
    }
  }
}

export interface DownsampleParams {
  tileSize: number;
  bandCount: number;
  /** Valid (inside the image) size of the source tile. */
  validWidth: number;
  validHeight: number;
  method: 'nearest' | 'average';
  nodata: number | null;
  /** Integer output: averages are rounded half up. */
  integer: boolean;
}

/**
 * Halves one source tile into the quadrant (targetX, targetY) of a next-level tile. Each target pixel
 * comes from the 2x2 source pixels at (2i, 2j): the top-left one for 'nearest'; for 'average' the mean
 * of those inside the image that are neither nodata nor NaN (nodata when none is).
 */
export function downsampleInto(
  source: TileBuffer['data'],
  target: TileBuffer['data'],
  targetX: number,
  targetY: number,
  p: DownsampleParams,
): { width: number; height: number } {
  const width = Math.ceil(p.validWidth / 2);
  const height = Math.ceil(p.validHeight / 2);
  const { tileSize, bandCount, nodata } = p;
  if (p.method === 'nearest') {
    for (let j = 0; j < height; j++) {
      for (let i = 0; i < width; i++) {
        const to = ((targetY + j) * tileSize + targetX + i) * bandCount;
        const from = (2 * j * tileSize + 2 * i) * bandCount;
        for (let b = 0; b < bandCount; b++) target[to + b] = source[from + b];
      }
    }
    return { width, height };
  }
  // A value is missing when NaN or equal to a (non-NaN) nodata; `missing` stands for that nodata
  // (NaN when there is none, which no value equals). Written out without closures: this runs
  // for every pixel of every overview.
  const missing = nodata ?? Number.NaN;
  const below = tileSize * bandCount;
  for (let j = 0; j < height; j++) {
    const hasBelow = 2 * j + 1 < p.validHeight;
    for (let i = 0; i < width; i++) {
      const to = ((targetY + j) * tileSize + targetX + i) * bandCount;
      const from = (2 * j * tileSize + 2 * i) * bandCount;
      const hasRight = 2 * i + 1 < p.validWidth;
      for (let b = 0; b < bandCount; b++) {
        let sum = 0;
        let count = 0;
        // The 2 x 2 block in the order top-left, right, below, below right.
        for (let k = 0; k < 4; k++) {
          if ((k & 1 && !hasRight) || (k & 2 && !hasBelow)) continue;
          const value = source[from + (k & 2 ? below : 0) + (k & 1 ? bandCount : 0) + b]!;
          if (value === value && value !== missing) {
            sum += value;
            count++;
          }
        }
        if (count === 0) target[to + b] = missing;
        else target[to + b] = p.integer ? Math.floor(sum / count + 0.5) : sum / count;
      }
    }
  }
  return { width, height };
}

/** TIFF Predictor tag value used for a sample type: horizontal (2) for integers, floating point (3) for float32. */
export function predictorFor(type: CogSampleType): 2 | 3 {
  return type === 'float32' ? 3 : 2;
}

/** Horizontal differencing (Predictor=2), in place, per row, per sample. */
function horizontalDifference(data: Uint8Array | Uint16Array, tileSize: number, bandCount: number): void {
  const rowLength = tileSize * bandCount;
  for (let rowStart = 0; rowStart < data.length; rowStart += rowLength) {
    for (let i = rowStart + rowLength - 1; i >= rowStart + bandCount; i--) data[i] -= data[i - bandCount];
  }
}

const deflateAsync = promisify(deflate);

/**
 * Floating-point predictor (Predictor=3) as libtiff's fpDiff: each row's floats are split into byte
 * planes (most significant byte first), then the bytes are differenced with a stride of one pixel.
 */
function floatingPointDifference(data: Float32Array, tileSize: number, bandCount: number): Uint8Array {
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const out = new Uint8Array(bytes.length);
  const samplesPerRow = tileSize * bandCount;
  const rowBytes = samplesPerRow * 4;
  const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
  for (let rowStart = 0; rowStart < bytes.length; rowStart += rowBytes) {
    for (let sample = 0; sample < samplesPerRow; sample++) {
      for (let byte = 0; byte < 4; byte++) {
        const plane = littleEndian ? 3 - byte : byte;
        out[rowStart + plane * samplesPerRow + sample] = bytes[rowStart + sample * 4 + byte];
      }
    }
    for (let i = rowStart + rowBytes - 1; i >= rowStart + bandCount; i--) out[i] = (out[i] - out[i - bandCount]) & 0xff;
  }
  return out;
}

/**
 * Applies the predictor (destroying `data`) at once, then DEFLATE-compresses (zlib stream, TIFF
 * Compression=8) on libuv's thread pool, off the calling thread: the same bytes deflateSync gives.
 * `data` must stay untouched until the promise settles.
 */
export function encodeTile(data: TileBuffer['data'], tileSize: number, bandCount: number): Promise<Buffer> {
  let bytes: Uint8Array;
  if (data instanceof Float32Array) {
    bytes = floatingPointDifference(data, tileSize, bandCount);
  } else {
    horizontalDifference(data, tileSize, bandCount);
    bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  }
  return deflateAsync(bytes);
}
