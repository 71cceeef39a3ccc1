import { createRandom } from '../util/random.js';
import { CLOUD_OPACITY_THRESHOLD, type DateAtmosphere } from './atmosphere.js';
import type { SyntheticDateFigures } from './generate.js';
import { subSeed } from './noise.js';
import { CIRRUS_RELATIVE, CLOUD_RELATIVE, HAZE_REFLECTANCE, tableForBands } from './spectra.js';

/** Truth mask classes (the same as the masks in ../shared/data). */
export const TRUTH = { clear: 0, cloud: 1, shadow: 2, nodata: 255 } as const;

/** How cloud, cirrus, haze and shadow look in each band of a sensor. */
export interface AtmosphereSpectra {
  cloudRelative: Float32Array;
  cirrusRelative: Float32Array;
  hazeReflectance: Float32Array;
  /** Shadows are a little darker in the blue (less diffuse light there under a cloud). */
  blueBand: boolean[];
}

export function atmosphereSpectra(wavelengthsNm: readonly number[]): AtmosphereSpectra {
  return {
    cloudRelative: tableForBands(CLOUD_RELATIVE, wavelengthsNm),
    cirrusRelative: tableForBands(CIRRUS_RELATIVE, wavelengthsNm),
    hazeReflectance: tableForBands(HAZE_REFLECTANCE, wavelengthsNm),
    blueBand: wavelengthsNm.map((w) => w < 520),
  };
}

export interface DateTruth {
  /** 0 clear, 1 cloud, 2 shadow, 255 nodata. */
  truth: Uint8Array;
  /** Combined opacity of thick cloud, cirrus and haze. */
  cloudOpacity: Float32Array;
  cloudCount: number;
  shadowCount: number;
  nodataCount: number;
}

/** The truth of a date: nodata where `nodata` is 1, cloud and shadow where their opacity reaches the threshold. */
export function truthForDate(atmosphere: DateAtmosphere, nodata: Uint8Array): DateTruth {
  const pixels = nodata.length;
  const truth = new Uint8Array(pixels);
  const cloudOpacity = new Float32Array(pixels);
  const { hazeOpacity, cirrusOpacity } = atmosphere;
  let cloudCount = 0;
  let shadowCount = 0;
  let nodataCount = 0;
  for (let i = 0; i < pixels; i += 1) {
    const thick = atmosphere.cloudOpacity[i];
    const haze = hazeOpacity ? hazeOpacity[i] : 0;
    const cirrus = cirrusOpacity ? cirrusOpacity[i] : 0;
    const combined = 1 - (1 - thick) * (1 - haze) * (1 - cirrus);
    cloudOpacity[i] = combined;
    if (nodata[i]) {
      truth[i] = TRUTH.nodata;
      nodataCount += 1;
    } else if (combined >= CLOUD_OPACITY_THRESHOLD) {
      truth[i] = TRUTH.cloud;
      cloudCount += 1;
    } else if (atmosphere.shadowOpacity[i] >= CLOUD_OPACITY_THRESHOLD) {
      truth[i] = TRUTH.shadow;
      shadowCount += 1;
    }
  }
  return { truth, cloudOpacity, cloudCount, shadowCount, nodataCount };
}

/** The figures of a date for the manifest: fractions of the valid pixels, nodata of all pixels. */
export function dateFigures(dateTruth: DateTruth, atmosphere: DateAtmosphere, events: string[]): SyntheticDateFigures {
  const pixels = dateTruth.truth.length;
  const validCount = pixels - dateTruth.nodataCount;
  return {
    cloudFraction: validCount > 0 ? dateTruth.cloudCount / validCount : 0,
    shadowFraction: validCount > 0 ? dateTruth.shadowCount / validCount : 0,
    nodataFraction: dateTruth.nodataCount / pixels,
    cloudCoverTarget: atmosphere.cloudCoverTarget,
    hazeMaxOpacity: atmosphere.hazeMaxOpacity,
    cirrusMaxOpacity: atmosphere.cirrusMaxOpacity,
    shadowDarkness: atmosphere.shadowDarkness,
    events,
  };
}

/** reflectance = DN * scale + offset; DNs are rounded and kept in [min, max] unless `round` is false (float output). */
export interface BandEncoding {
  scale: number;
  offset: number;
  round: boolean;
  min: number;
  max: number;
  /** Written where `nodata` is 1; a valid DN that would equal it is moved one step away. */
  nodata: number;
}

export interface ComposeBandOptions {
  /** Clear-sky reflectance of the band. */
  surface: Float32Array;
  /** Band index among the sensor's bands (selects the spectra and the noise stream). */
  band: number;
  atmosphere: DateAtmosphere;
  nodata: Uint8Array;
  spectra: AtmosphereSpectra;
  normals: Float32Array;
  /** Additive noise standard deviation (reflectance); a 1 % multiplicative part is added. */
  noiseSigma: number;
  /** Per pixel factor on the noise (null: 1 everywhere). */
  noiseWeight: Float32Array | null;
  encoding: BandEncoding;
  out: Uint8Array | Uint16Array | Float32Array;
}

/** One band as the sensor sees it through the date's atmosphere, with noise, encoded into `out`. */
export function composeBand(options: ComposeBandOptions): void {
  const { surface: band, band: b, atmosphere, nodata, spectra, normals, noiseSigma, noiseWeight, encoding, out } = options;
  const { shadowOpacity, cloudBrightness, cirrusBrightness, hazeOpacity, cirrusOpacity } = atmosphere;
  const thickOpacity = atmosphere.cloudOpacity;
  const { scale, offset, round, min, max } = encoding;
  const nodataValue = encoding.nodata;
  const nudge = nodataValue >= max ? -1 : 1;
  const shadowLoss = 1 - Math.min(0.85, atmosphere.shadowDarkness + (spectra.blueBand[b] ? 0.1 : 0));
  const haze = spectra.hazeReflectance[b];
  const cloudFactor = spectra.cloudRelative[b];
  const cirrusValue = cirrusBrightness * spectra.cirrusRelative[b];
  let noiseState = (subSeed(atmosphere.noiseSeed, b) | 1) >>> 0;
  for (let i = 0; i < band.length; i += 1) {
    // xorshift32 picks a normal deviate from the table (drawn for every pixel, so the stream does not depend on nodata).
    noiseState ^= noiseState << 13;
    noiseState ^= noiseState >>> 17;
    noiseState ^= noiseState << 5;
    if (nodata[i] === 1) {
      out[i] = nodataValue;
      continue;
    }
    let value = band[i] * (1 - shadowOpacity[i] * shadowLoss);
    if (hazeOpacity !== null) value += hazeOpacity[i] * (haze - value);
    value += thickOpacity[i] * (cloudBrightness[i] * cloudFactor - value);
    if (cirrusOpacity !== null) value += cirrusOpacity[i] * (cirrusValue - value);
    const weight = noiseWeight === null ? 1 : noiseWeight[i];
    value += (noiseSigma + 0.01 * value) * normals[noiseState & 0xffff] * weight;
    if (!round) {
      out[i] = (value - offset) / scale;
      continue;
    }
    let count = Math.round((value - offset) / scale);
    count = count < min ? min : count > max ? max : count;
    out[i] = count === nodataValue ? count + nudge : count;
  }
}

/** 65536 standard normal deviates from the seed (sensor noise is drawn from this table). */
export function normalTable(seed: number): Float32Array {
  const random = createRandom(seed);
  const table = new Float32Array(65536);
  for (let i = 0; i < table.length; i += 1) table[i] = random.normal();
  return table;
}
