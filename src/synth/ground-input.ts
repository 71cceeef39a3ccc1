/**
 * The real ground of a semi-synthetic stack: clear images of one sensor on one grid, read as
 * reflectance in their own band order, with the checks that make a bad ground fail early.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { expandInputs, inspectImage, type StackImage } from '../raster/inputs.js';
import { toReflectance } from '../raster/reflectance.js';
import type { SensorProfile } from '../raster/sensors.js';
import { byAcquisitionTime, commonWindow } from '../raster/stack.js';
import type { Georeference } from '../raster/types.js';
import { AutocmError, isAutocmError } from '../util/errors.js';

/** The bands kept from the ground, with the wavelength at which the cloud, haze and cirrus spectra are read. */
export const GROUND_BANDS: Record<string, number> = { blue: 490, green: 560, red: 665, nir: 842 };

export interface GroundSeries {
  /** In time order (undated last: only a single image may be undated). */
  images: StackImage[];
  /** YYYY-MM-DD per image, or null. */
  dates: (string | null)[];
  width: number;
  height: number;
  georeference: Georeference;
  sensor: SensorProfile;
  /** 'option', 'detected', or the sensor.json found beside the images. */
  sensorFrom: string;
  /** Indices in the file of the kept bands (blue, green, red, nir in the file's own order). */
  bandIndices: number[];
  /** Common names of the kept bands, in file order. */
  bandNames: string[];
  wavelengthsNm: number[];
}

/** Sizes the atmosphere code handles (it draws a square of the longer side). */
const MIN_SIZE = 16;
const MAX_SIZE = 8192;

/**
 * Opens and checks the ground images: a sensor (`sensor`, else a sensor.json in the first
 * image's folder, else detection), blue, green, red and nir in every image, one size and grid,
 * and with more than one image a distinct acquisition date for each.
 */
export async function openGround(inputs: string[], sensor?: string): Promise<GroundSeries> {
  if (inputs.length === 0) throw new AutocmError('--ground needs at least one image');
  const refs = await expandInputs(inputs, sensor ? { sensor } : {});
  if (refs.length === 0) throw new AutocmError('--ground names no image', inputs.join(' '));
  const firstFile = refs[0].files[0].path;
  const beside = /^https?:\/\//i.test(firstFile) ? null : join(dirname(firstFile), 'sensor.json');
  const sensorOption = sensor ?? (beside && existsSync(beside) ? beside : undefined);
  const sensorFrom = sensor ? 'option' : sensorOption ?? 'detected';
  const images: StackImage[] = [];
  for (const ref of refs) images.push((await inspectImage(ref, sensorOption ? { sensor: sensorOption } : {}).catch(renameSensorOption)).image!);
  const ordered = byAcquisitionTime(images);
  const first = ordered[0];
  for (const image of ordered) {
    if (image.sensor.id !== first.sensor.id) throw new AutocmError(`sensor ${image.sensor.id} differs from ${first.sensor.id} of ${first.source}`, image.source);
  }
  const bandIndices = groundBandIndices(first);
  const bandNames = bandIndices.map((i) => first.bandNames[i]);
  for (const image of ordered) {
    const indices = groundBandIndices(image);
    if (indices.some((index, k) => index !== bandIndices[k])) {
      throw new AutocmError(`band order ${image.bandNames.join(', ')} differs from ${first.bandNames.join(', ')} of ${first.source}`, image.source);
    }
  }
  const { width, height } = first.info;
  if (width < MIN_SIZE || height < MIN_SIZE || width > MAX_SIZE || height > MAX_SIZE) {
    throw new AutocmError(`size ${width} x ${height}: a ground image must be ${MIN_SIZE} to ${MAX_SIZE} pixels on each side`, first.source);
  }
  for (const image of ordered) {
    if (image.info.width !== width || image.info.height !== height) {
      throw new AutocmError(`size ${image.info.width} x ${image.info.height} differs from ${width} x ${height} of ${first.source}: the ground images must share one grid`, image.source);
    }
  }
  const window = commonWindow(ordered);
  ordered.forEach((image, k) => {
    const x = window.offsets[0].x - window.offsets[k].x;
    const y = window.offsets[0].y - window.offsets[k].y;
    if (x !== 0 || y !== 0) {
      throw new AutocmError(`not on the grid of ${first.source}: its origin is ${x}, ${y} pixels from that image's origin (the ground images must share one grid)`, image.source);
    }
  });
  const dates = ordered.map((image) => (image.date ? image.date.toISOString().slice(0, 10) : null));
  if (ordered.length > 1) {
    ordered.forEach((image, k) => {
      if (dates[k] === null) throw new AutocmError('no acquisition date in its metadata or file name (e.g. img_YYYYMMDD.tif): with several ground images each one is a date', image.source);
      if (k > 0 && dates[k] === dates[k - 1]) throw new AutocmError(`has the same date ${dates[k]} as ${ordered[k - 1].source}: one ground image per date`, image.source);
    });
  }
  return {
    images: ordered,
    dates,
    width,
    height,
    georeference: window.georeference,
    sensor: first.sensor,
    sensorFrom,
    bandIndices,
    bandNames,
    wavelengthsNm: bandNames.map((name) => GROUND_BANDS[name]),
  };
}

/** File indices of blue, green, red and nir, ascending; an error naming the file when one is missing. */
function groundBandIndices(image: StackImage): number[] {
  const wanted = Object.keys(GROUND_BANDS);
  const missing = wanted.filter((name) => !image.bandNames.includes(name));
  if (missing.length > 0) {
    throw new AutocmError(`lacks band(s) ${missing.join(', ')} (it has ${image.bandNames.join(', ')}): --ground needs blue, green, red and nir`, image.source);
  }
  return wanted.map((name) => image.bandNames.indexOf(name)).sort((a, b) => a - b);
}

/** Sensor errors from the raster code name --sensor; here the option is --ground-sensor. */
function renameSensorOption(error: unknown): never {
  if (isAutocmError(error) && /--sensor\b/.test(error.message)) throw new AutocmError(error.message.replaceAll('--sensor', '--ground-sensor'), undefined, error.exitCode);
  throw error;
}

/** The kept bands of one ground image as reflectance (NaN at nodata), in file order. */
export async function readGroundReflectance(series: GroundSeries, index: number): Promise<Float32Array[]> {
  const image = series.images[index];
  const source = await image.open();
  try {
    const data = await source.readWindow({ x: 0, y: 0, width: series.width, height: series.height }, { bands: series.bandIndices });
    return data.bands.map((band, k) => toReflectance(image.bands[series.bandIndices[k]], band, image.nodata));
  } finally {
    await source.close();
  }
}
