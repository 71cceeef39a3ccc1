import { nodataMask } from '../raster/nodata.js';
import { toReflectance } from '../raster/reflectance.js';
import type { ImageStack, StackImage } from '../raster/stack.js';
import type { RasterSource } from '../raster/types.js';

/** Reflectance tile of one image: values [B, size, size] (0 at nodata) and validity [size, size] (1/0). */
export interface Tile {
  values: Float32Array;
  valid: Float32Array;
}

/** A time-ordered series of co-registered images of one place, read tile by tile. */
export interface TrainingScene {
  name: string;
  width: number;
  height: number;
  bands: number;
  imageCount: number;
  /** Acquisition date of each image (null: unknown), in image order. */
  dates: (Date | null)[];
  /** File (or id) of each image, for messages. */
  imageNames: string[];
  readTile(image: number, x: number, y: number, size: number): Promise<Tile>;
  close(): Promise<void>;
}

/** Whole scenes below this many bytes are kept in memory after their first read. */
const CACHE_LIMIT_BYTES = 512 * 1024 * 1024;

/**
 * A stack as a training scene: reflectance = DN * scale + offset of the sensor profile (recorded
 * as `reflectance` normalisation); nodata by predict's rule (nodataMask) -> value 0, weight 0.
 */
export function stackScene(stack: ImageStack, name: string): TrainingScene {
  const bands = stack.bandNames.length;
  const pixels = stack.width * stack.height;
  const cacheWhole = pixels * bands * 4 * stack.images.length < CACHE_LIMIT_BYTES;
  const sources = new Map<number, RasterSource>();
  const cached = new Map<number, Tile>();

  const source = async (index: number) => {
    let s = sources.get(index);
    if (!s) {
      s = await stack.images[index]!.open();
      sources.set(index, s);
    }
    return s;
  };

  const read = async (index: number, x: number, y: number, width: number, height: number): Promise<Tile> => {
    const image: StackImage = stack.images[index]!;
    const bandIndices = stack.bandNames.map((n) => image.bandNames.indexOf(n));
    const data = await (await source(index)).readWindow({ x: image.offset.x + x, y: image.offset.y + y, width, height }, { bands: bandIndices });
    const n = width * height;
    const nodata = nodataMask(data.bands, image.nodata, n);
    const values = new Float32Array(bands * n);
    const valid = new Float32Array(n);
    for (let i = 0; i < n; i++) valid[i] = 1 - nodata[i]!;
    data.bands.forEach((raw, b) => {
      // The mask above decides nodata; a lone band at the nodata value is scaled like any value.
      const reflectance = toReflectance(image.bands[bandIndices[b]!]!, raw, null);
      for (let i = 0; i < n; i++) if (!nodata[i]) values[b * n + i] = reflectance[i]!;
    });
    return { values, valid };
  };

  return {
    name,
    width: stack.width,
    height: stack.height,
    bands,
    imageCount: stack.images.length,
    dates: stack.images.map((i) => i.date),
    imageNames: stack.images.map((i) => i.source),
    async readTile(index, x, y, size) {
      if (!cacheWhole) return read(index, x, y, size, size);
      let whole = cached.get(index);
      if (!whole) {
        whole = await read(index, 0, 0, stack.width, stack.height);
        cached.set(index, whole);
        await sources.get(index)?.close();
        sources.delete(index);
      }
      return cutTile(whole, bands, stack.width, x, y, size);
    },
    async close() {
      for (const s of sources.values()) await s.close();
      sources.clear();
    },
  };
}

export function cutTile(whole: Tile, bands: number, width: number, x: number, y: number, size: number): Tile {
  const values = new Float32Array(bands * size * size);
  const valid = new Float32Array(size * size);
  const height = whole.valid.length / width;
  for (let row = 0; row < size; row++) {
    const from = (y + row) * width + x;
    valid.set(whole.valid.subarray(from, from + size), row * size);
    for (let b = 0; b < bands; b++) values.set(whole.values.subarray(b * width * height + from, b * width * height + from + size), (b * size + row) * size);
  }
  return { values, valid };
}

/**
 * An in-memory scene (synthetic data, tests): images [B, H, W] reflectance with NaN at nodata (any
 * band NaN or infinite), and optionally the images' dates.
 */
export function memoryScene(name: string, images: Float32Array[], bands: number, width: number, height: number, dates?: (Date | null)[]): TrainingScene {
  const wholes = images.map((img) => {
    const n = width * height;
    const values = new Float32Array(img.length);
    const valid = new Float32Array(n).fill(1);
    for (let b = 0; b < bands; b++) for (let i = 0; i < n; i++) if (!Number.isFinite(img[b * n + i]!)) valid[i] = 0;
    for (let b = 0; b < bands; b++) for (let i = 0; i < n; i++) values[b * n + i] = valid[i] ? img[b * n + i]! : 0;
    return { values, valid };
  });
  return {
    name,
    width,
    height,
    bands,
    imageCount: images.length,
    dates: dates ?? images.map(() => null),
    imageNames: images.map((_, i) => `${name}[${i}]`),
    async readTile(index, x, y, size) {
      return cutTile(wholes[index]!, bands, width, x, y, size);
    },
    async close() {},
  };
}
