import { atmosphereForGrid, type SunGeometry } from './atmosphere.js';
import { composeBand, dateFigures, truthForDate, type AtmosphereSpectra, type BandEncoding } from './compose.js';
import type { SyntheticDateFigures } from './generate.js';
import type { GroundSeries } from './ground-input.js';

/** How the output images are encoded: the first ground image's sample type, nodata and scaling. */
export interface GroundEncoding {
  sampleType: 'uint8' | 'uint16' | 'float32';
  nodata: number;
  /** Per kept band, in file order. */
  bands: BandEncoding[];
}

/**
 * Additive noise (reflectance) on what the atmosphere changes. The real ground carries its own
 * sensor noise, so noise is weighted by how much cloud, haze, cirrus and shadow cover a pixel:
 * where they are absent the output is the ground's own DN, bit for bit.
 */
export const GROUND_NOISE_SIGMA = 0.004;

/**
 * The ground's encoding where the COG writer has it (uint8, uint16, float32); other integer types
 * are written as uint16, so negative DN are clipped to 0 (or 1 when 0 is nodata).
 */
export function groundEncoding(series: GroundSeries): GroundEncoding {
  const image = series.images[0];
  const type = image.info.sampleType;
  const sampleType = type === 'uint8' ? 'uint8' : type === 'float32' || type === 'float64' ? 'float32' : 'uint16';
  const top = sampleType === 'uint8' ? 255 : 65535;
  const fits = image.nodata !== null && (sampleType === 'float32' || (Number.isInteger(image.nodata) && image.nodata >= 0 && image.nodata <= top));
  const nodata = fits ? image.nodata! : sampleType === 'float32' ? Number.NaN : 0;
  const saturation = image.sensor.saturation;
  const max = saturation !== null && saturation > 0 && saturation < top ? saturation : top;
  return {
    sampleType,
    nodata,
    bands: series.bandIndices.map((index) => ({
      scale: image.bands[index].scale,
      offset: image.bands[index].offset,
      round: sampleType !== 'float32',
      min: 0,
      max,
      nodata,
    })),
  };
}

export interface GroundDateOptions {
  width: number;
  height: number;
  seed: number;
  dateIndex: number;
  dayOfYear: number;
  spectra: AtmosphereSpectra;
  normals: Float32Array;
  encoding: GroundEncoding;
}

export interface GroundDate extends SyntheticDateFigures {
  dn: (Uint8Array | Uint16Array | Float32Array)[];
  truth: Uint8Array;
  sun: SunGeometry;
}

/** One date: the clear-sky `surface` (reflectance, NaN at the ground's nodata) under that date's synthetic atmosphere. */
export function composeGroundDate(surface: Float32Array[], options: GroundDateOptions): GroundDate {
  const { width, height, seed, dateIndex, dayOfYear, encoding } = options;
  const pixels = width * height;
  const atmosphere = atmosphereForGrid(width, height, { seed, dateIndex, dayOfYear, stripes: false });
  const nodata = atmosphere.nodata.slice();
  for (const band of surface) for (let i = 0; i < pixels; i += 1) if (Number.isNaN(band[i])) nodata[i] = 1;
  const dateTruth = truthForDate(atmosphere, nodata);
  const noiseWeight = new Float32Array(pixels);
  for (let i = 0; i < pixels; i += 1) noiseWeight[i] = 1 - (1 - dateTruth.cloudOpacity[i]) * (1 - atmosphere.shadowOpacity[i]);
  const dn = surface.map((band, b) => {
    const out = encoding.sampleType === 'uint8' ? new Uint8Array(pixels) : encoding.sampleType === 'uint16' ? new Uint16Array(pixels) : new Float32Array(pixels);
    composeBand({ surface: band, band: b, atmosphere, nodata, spectra: options.spectra, normals: options.normals, noiseSigma: GROUND_NOISE_SIGMA, noiseWeight, encoding: encoding.bands[b], out });
    return out;
  });
  return { dn, truth: dateTruth.truth, sun: atmosphere.sun, ...dateFigures(dateTruth, atmosphere, []) };
}
