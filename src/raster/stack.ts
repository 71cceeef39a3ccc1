/**
 * Time-series stacks: images of one sensor, ordered by acquisition time, co-registered (same CRS
 * and pixel size, origins on one pixel grid) and cut to their common window.
 */
import { AutocmError } from '../util/errors.js';
import { expandInputs, inspectImage, type ResolveOptions, type StackImage } from './inputs.js';
import { findBand, type SensorProfile } from './sensors.js';
import type { GeoTransform, Georeference } from './types.js';

export type { StackImage } from './inputs.js';

export interface ImageStack {
  /** Ordered by acquisition time; undated images last, in input order. */
  images: StackImage[];
  /** Size of the common window. */
  width: number;
  height: number;
  /** Georeference of the common window. */
  georeference: Georeference;
  sensor: SensorProfile;
  /** Common names of the bands every image has (or those asked for), in order. */
  bandNames: string[];
}

/** How far (in pixels) an origin may be off the reference grid and still count as on it. */
const gridTolerance = 1e-3;

export interface CommonWindow {
  width: number;
  height: number;
  georeference: Georeference;
  /** Per image, the top-left of the common window inside it. */
  offsets: { x: number; y: number }[];
}

/**
 * The common window of images on one grid. Same CRS and pixel size are required, origins must lie
 * a whole number of pixels apart; differing extents are cut to their intersection.
 */
export function commonWindow(images: Pick<StackImage, 'source' | 'info'>[]): CommonWindow {
  const reference = images[0].info;
  const t0 = reference.geoTransform;
  if (t0 === null) {
    for (const { info, source } of images) {
      if (info.geoTransform !== null) throw new AutocmError(`is georeferenced but ${reference.source} is not`, source);
      if (info.width !== reference.width || info.height !== reference.height) {
        throw new AutocmError(`size ${info.width} x ${info.height} differs from ${reference.width} x ${reference.height} of ${reference.source}, and without georeferencing the images cannot be aligned`, source);
      }
    }
    return { width: reference.width, height: reference.height, georeference: { geoTransform: null, epsg: reference.epsg, geoKeys: reference.geoKeys }, offsets: images.map(() => ({ x: 0, y: 0 })) };
  }
  if (t0[2] !== 0 || t0[4] !== 0) throw new AutocmError('rotated geotransforms are not supported in a stack', reference.source);
  let left = -Infinity;
  let top = -Infinity;
  let right = Infinity;
  let bottom = Infinity;
  const shifts: { x: number; y: number }[] = [];
  for (const { info, source } of images) {
    const t = info.geoTransform;
    if (t === null) throw new AutocmError(`has no georeferencing but ${reference.source} has`, source);
    if (info.epsg !== reference.epsg) throw new AutocmError(`CRS EPSG:${info.epsg ?? 'unknown'} differs from EPSG:${reference.epsg ?? 'unknown'} of ${reference.source}`, source);
    const sizeTolerance = 1e-6 * Math.abs(t0[1]);
    if (Math.abs(t[1] - t0[1]) > sizeTolerance || Math.abs(t[5] - t0[5]) > sizeTolerance || t[2] !== 0 || t[4] !== 0) {
      throw new AutocmError(`pixel size ${t[1]} x ${t[5]} differs from ${t0[1]} x ${t0[5]} of ${reference.source}`, source);
    }
    const dx = (t[0] - t0[0]) / t0[1];
    const dy = (t[3] - t0[3]) / t0[5];
    const x = Math.round(dx);
    const y = Math.round(dy);
    if (Math.abs(dx - x) > gridTolerance || Math.abs(dy - y) > gridTolerance) {
      throw new AutocmError(`is not on the pixel grid of ${reference.source}: its origin is ${dx.toFixed(3)}, ${dy.toFixed(3)} pixels from that image's origin (not a whole number)`, source);
    }
    shifts.push({ x, y });
    left = Math.max(left, x);
    top = Math.max(top, y);
    right = Math.min(right, x + info.width);
    bottom = Math.min(bottom, y + info.height);
  }
  if (right <= left || bottom <= top) {
    throw new AutocmError(`the images do not overlap: no common window (first: ${reference.source})`, images[images.length - 1].source);
  }
  const geoTransform: GeoTransform = [t0[0] + left * t0[1], t0[1], 0, t0[3] + top * t0[5], 0, t0[5]];
  return {
    width: right - left,
    height: bottom - top,
    georeference: { geoTransform, epsg: reference.epsg, geoKeys: reference.geoKeys },
    offsets: shifts.map((s) => ({ x: left - s.x, y: top - s.y })),
  };
}

/** Stable order by date; undated images after the dated ones. */
export function byAcquisitionTime<T extends { date: Date | null }>(images: T[]): T[] {
  return images
    .map((image, index) => ({ image, index }))
    .sort((a, b) => {
      const ta = a.image.date?.getTime() ?? Infinity;
      const tb = b.image.date?.getTime() ?? Infinity;
      return ta !== tb ? ta - tb : a.index - b.index;
    })
    .map((e) => e.image);
}

/**
 * Without --bands, an image with fewer bands than the others (a 3-band file among 4-band ones)
 * would silently shrink the whole stack, and the model or composite made from it: an error
 * naming the odd file, unless --bands says which bands to use.
 */
function refuseOddBandSets(images: StackImage[], common: string[]): void {
  const most = images.reduce((a, b) => (b.bandNames.length > a.bandNames.length ? b : a));
  if (most.bandNames.length === common.length) return;
  const odd = images.filter((image) => most.bandNames.some((n) => !image.bandNames.includes(n)));
  const others = images.length - odd.length;
  throw new AutocmError(
    `has ${odd[0]!.bandNames.length} bands (${odd[0]!.bandNames.join(', ')}) where ${others} other image${others === 1 ? '' : 's'} (e.g. ${most.source}) ` +
      `have ${most.bandNames.length} (${most.bandNames.join(', ')})${odd.length > 1 ? `; ${odd.length - 1} more image(s) too` : ''}: ` +
      `remove it, or give --bands ${common.join(',') || '...'} to use the bands they share`,
    odd[0]!.source,
  );
}

/** Checks that every image has the same sensor and the wanted bands; returns the stack's band names. */
export function stackBands(images: StackImage[], bands: string[] | undefined): string[] {
  const first = images[0];
  for (const image of images) {
    if (image.sensor.id !== first.sensor.id) throw new AutocmError(`sensor ${image.sensor.id} differs from ${first.sensor.id} of ${first.source}`, image.source);
  }
  const given = bands && bands.length > 0;
  const wanted = given ? bands.map((b) => findBand(first.sensor, b)?.common ?? b.toLowerCase()) : first.bandNames.filter((n) => images.every((i) => i.bandNames.includes(n)));
  if (!given) refuseOddBandSets(images, wanted);
  if (wanted.length === 0) throw new AutocmError('the images have no band in common', first.source);
  for (const image of images) {
    const missing = wanted.filter((n) => !image.bandNames.includes(n));
    if (missing.length > 0) throw new AutocmError(`lacks band(s) ${missing.join(', ')} (it has ${image.bandNames.join(', ')})`, image.source);
  }
  return wanted;
}

/** Opens a time-series stack from files, folders, globs, list files or STAC JSON. */
export async function openStack(inputs: string[], options: ResolveOptions = {}): Promise<ImageStack> {
  if (inputs.length === 0) throw new AutocmError('empty stack: no input given');
  const refs = await expandInputs(inputs, options);
  if (refs.length === 0) throw new AutocmError('empty stack: the inputs name no image', inputs.join(' '));
  const images: StackImage[] = [];
  for (const ref of refs) images.push((await inspectImage(ref, options)).image!);
  const ordered = byAcquisitionTime(images);
  const bandNames = stackBands(ordered, options.bands);
  const window = commonWindow(ordered);
  ordered.forEach((image, i) => (image.offset = window.offsets[i]));
  return { images: ordered, width: window.width, height: window.height, georeference: window.georeference, sensor: ordered[0].sensor, bandNames };
}
