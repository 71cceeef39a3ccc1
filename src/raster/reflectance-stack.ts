import { toReflectance } from './reflectance.js';
import { stackBands, type ImageStack, type StackImage } from './stack.js';
import type { Georeference, RasterSource, SampleType, TypedArray } from './types.js';

/** A stack image read as reflectance: what baselines, composites and the stack-aware predictor need. */
export interface ReflectanceImage {
  id: string;
  source: string;
  date: Date | null;
  /** Top-left of the stack's common window inside this image. */
  offset: { x: number; y: number };
  /** Common names of the bands read, in order (the stack's bands). */
  bandNames: string[];
  /** 0-based band of the file for each of `bandNames`; identity when omitted. */
  bandIndices?: number[];
  /** Effective nodata (the file's, else the sensor profile's default); the file's when omitted. */
  nodata?: number | null;
  /** Reflectance of band k of `bandNames` (NaN at nodata); `defaultReflectance` when omitted. */
  reflectance?: (raw: TypedArray, k: number, nodata: number | null) => Float32Array;
  open(): Promise<RasterSource>;
}

export interface ReflectanceStack {
  images: ReflectanceImage[];
  width: number;
  height: number;
  georeference: Georeference;
  bandNames: string[];
}

/**
 * Documented assumption when no sensor profile gives the scaling: integer data are
 * reflectance x 10000 (the Landsat/Sentinel-2 surface-reflectance convention without offset),
 * floating-point data are reflectance already. Nodata (the given value, or NaN) becomes NaN.
 */
export function defaultReflectance(raw: TypedArray, sampleType: SampleType, nodata: number | null): Float32Array {
  const scale = sampleType === 'float32' || sampleType === 'float64' ? 1 : 1e-4;
  const out = new Float32Array(raw.length);
  for (let i = 0; i < raw.length; i++) {
    const v = raw[i]!;
    out[i] = (nodata !== null && v === nodata) || Number.isNaN(v) ? Number.NaN : v * scale;
  }
  return out;
}

export const fileBands = (image: ReflectanceImage) => image.bandIndices ?? image.bandNames.map((_, i) => i);

/** Reads bands (indices into `image.bandNames`) of a window as reflectance. */
export async function readReflectance(
  image: ReflectanceImage,
  source: RasterSource,
  window: { x: number; y: number; width: number; height: number },
  bands: number[] = image.bandNames.map((_, i) => i),
): Promise<Float32Array[]> {
  const indices = fileBands(image);
  const { bands: raw } = await source.readWindow(window, { bands: bands.map((k) => indices[k]!) });
  const nodata = image.nodata !== undefined ? image.nodata : source.info.nodata;
  return raw.map((data, j) =>
    image.reflectance ? image.reflectance(data, bands[j]!, nodata) : defaultReflectance(data, source.info.sampleType, nodata),
  );
}

/** A stack image with the given bands (common names) and its sensor-profile reflectance scaling. */
export function reflectanceImageOf(image: StackImage, bandNames: string[] = image.bandNames): ReflectanceImage {
  const bandIndices = bandNames.map((name) => image.bandNames.indexOf(name));
  return {
    id: image.id,
    source: image.source,
    date: image.date,
    offset: image.offset,
    bandNames,
    bandIndices,
    nodata: image.nodata,
    reflectance: (raw, k, nodata) => toReflectance(image.bands[bandIndices[k]!]!, raw, nodata),
    open: () => image.open(),
  };
}

/** A stack opened by raster/stack.ts, each image reading the stack's bands. */
export function reflectanceStackOf(stack: ImageStack): ReflectanceStack {
  return {
    width: stack.width,
    height: stack.height,
    georeference: stack.georeference,
    bandNames: stack.bandNames,
    images: stack.images.map((image) => reflectanceImageOf(image, stack.bandNames)),
  };
}

/** Independent images (each on its own grid), for the per-image baselines; `bands` picks bands by name. */
export function reflectanceImagesOf(images: StackImage[], bands?: string[]): ReflectanceStack {
  const first = images[0]!;
  const wanted = bands && bands.length > 0 ? stackBands(images, bands) : undefined;
  return {
    width: first.info.width,
    height: first.info.height,
    georeference: { geoTransform: first.info.geoTransform, epsg: first.info.epsg, geoKeys: first.info.geoKeys },
    bandNames: wanted ?? first.bandNames,
    images: images.map((image) => reflectanceImageOf(image, wanted)),
  };
}
