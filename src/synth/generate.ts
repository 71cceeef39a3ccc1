import type { Georeference } from '../raster/types.js';
import { AutocmError } from '../util/errors.js';
import { createRandom } from '../util/random.js';
import { CLOUD_OPACITY_THRESHOLD, atmosphereForDate, type SunGeometry } from './atmosphere.js';
import { buildLandscape, surfaceForDate, surfaceSpectra } from './landscape.js';
import { subSeed } from './noise.js';
import { CIRRUS_RELATIVE, CLOUD_RELATIVE, HAZE_REFLECTANCE, TOA_GAS_TRANSMITTANCE, TOA_PATH_RADIANCE, tableForBands } from './spectra.js';
import { isSyntheticSensorName, syntheticGeoreference, syntheticSensorProfile, SYNTHETIC_SENSORS, type SyntheticSensorName, type SyntheticSensorProfile } from './sensors.js';

export interface SyntheticStackOptions {
  /** Width = height in pixels: a multiple of 8, at least 64. */
  size: number;
  /** Number of acquisition dates. */
  dates: number;
  sensor: SyntheticSensorName;
  seed: number;
  /** First acquisition, YYYY-MM-DD (default 2023-03-01: snow at the start, green-up, harvest, all in one series). */
  startDate?: string;
  /** Days between acquisitions (default 7). */
  cadenceDays?: number;
}

/** Truth mask classes (the same as the masks in ../shared/data). */
export const TRUTH = { clear: 0, cloud: 1, shadow: 2, nodata: 255 } as const;

/** What one date holds, in numbers (also written to the manifest). */
export interface SyntheticDateFigures {
  /** Fractions of the valid (not nodata) pixels, and the nodata fraction of all pixels. */
  cloudFraction: number;
  shadowFraction: number;
  nodataFraction: number;
  cloudCoverTarget: number;
  hazeMaxOpacity: number;
  cirrusMaxOpacity: number;
  shadowDarkness: number;
  /** Abrupt surface events on this date: 'flood', 'harvest'. */
  events: string[];
}

export interface SyntheticDate extends SyntheticDateFigures {
  /** YYYY-MM-DD. */
  date: string;
  /** Digital numbers per band, row-major, in the sensor's encoding (reflectance = DN * dnScale + dnOffset: DN / 10000 for PlanetScope and Sentinel-2), 0 = nodata. */
  dn: Uint16Array[];
  /** 0 clear, 1 cloud, 2 shadow, 255 nodata. */
  truth: Uint8Array;
  /**
   * The clear-sky image per band as float32 reflectance: what the sensor would see without
   * clouds, haze, cirrus, shadows, noise or nodata (at top of atmosphere for a Level-1C sensor).
   */
  surface: Float32Array[];
  /** Land cover of the surface on this date (see LAND_COVER). */
  landCover: Uint8Array;
  /** Combined opacity of thick cloud, cirrus and haze (truth cloud where >= CLOUD_OPACITY_THRESHOLD). */
  cloudOpacity: Float32Array;
  sun: SunGeometry;
}

export interface SyntheticStack {
  options: Required<SyntheticStackOptions>;
  sensor: SyntheticSensorProfile;
  width: number;
  height: number;
  bandNames: string[];
  georeference: Georeference;
  cloudOpacityThreshold: number;
  dates: SyntheticDate[];
}

export const SYNTHETIC_DEFAULTS = { startDate: '2023-03-01', cadenceDays: 7 } as const;

/** Checks the options and fills in the defaults; throws AutocmError naming the bad option. */
export function resolveSyntheticOptions(options: SyntheticStackOptions): Required<SyntheticStackOptions> {
  const { size, dates, sensor, seed } = options;
  if (!Number.isInteger(size) || size < 64 || size % 8 !== 0) {
    throw new AutocmError(`--size must be a multiple of 8 and at least 64 (the U-Net needs multiples of 8), got ${size}`);
  }
  if (size > 8192) throw new AutocmError(`--size at most 8192, got ${size}`);
  if (!Number.isInteger(dates) || dates < 1 || dates > 1000) throw new AutocmError(`--dates must be an integer from 1 to 1000, got ${dates}`);
  if (!isSyntheticSensorName(sensor)) throw new AutocmError(`unknown sensor '${String(sensor)}': use one of ${SYNTHETIC_SENSORS.join(', ')}`);
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new AutocmError(`--seed must be an integer from 0 to 4294967295, got ${seed}`);
  const startDate = options.startDate ?? SYNTHETIC_DEFAULTS.startDate;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(startDate) || Number.isNaN(Date.parse(`${startDate}T00:00:00Z`))) {
    throw new AutocmError(`--start-date must be YYYY-MM-DD, got '${startDate}'`);
  }
  const cadenceDays = options.cadenceDays ?? SYNTHETIC_DEFAULTS.cadenceDays;
  if (!Number.isInteger(cadenceDays) || cadenceDays < 1 || cadenceDays > 365) throw new AutocmError(`--cadence-days must be an integer from 1 to 365, got ${cadenceDays}`);
  return { size, dates, sensor, seed, startDate, cadenceDays };
}

/** Acquisition dates (YYYY-MM-DD) and their days of year. */
export function acquisitionDates(startDate: string, count: number, cadenceDays: number): { date: string; dayOfYear: number }[] {
  const start = Date.parse(`${startDate}T00:00:00Z`);
  return Array.from({ length: count }, (_, index) => {
    const time = new Date(start + index * cadenceDays * 86400000);
    const yearStart = Date.UTC(time.getUTCFullYear(), 0, 1);
    return { date: time.toISOString().slice(0, 10), dayOfYear: Math.floor((time.getTime() - yearStart) / 86400000) + 1 };
  });
}

export interface GenerateProgress {
  (datesDone: number, datesTotal: number): void;
}

/**
 * A synthetic image time series with exact truth, deterministic from the seed: the same
 * options give bit-identical arrays on every run and platform.
 */
export function generateSyntheticStack(options: SyntheticStackOptions, onProgress?: GenerateProgress): SyntheticStack {
  const resolved = resolveSyntheticOptions(options);
  const { size, seed } = resolved;
  const sensor = syntheticSensorProfile(resolved.sensor);
  const wavelengths = sensor.wavelengthsNm;
  const landscape = buildLandscape(size, resolved.dates, seed);
  const spectra = surfaceSpectra(wavelengths);
  const cloudRelative = tableForBands(CLOUD_RELATIVE, wavelengths);
  const cirrusRelative = tableForBands(CIRRUS_RELATIVE, wavelengths);
  const hazeReflectance = tableForBands(HAZE_REFLECTANCE, wavelengths);
  const pathRadiance = tableForBands(TOA_PATH_RADIANCE, wavelengths);
  const gasTransmittance = tableForBands(TOA_GAS_TRANSMITTANCE, wavelengths);
  const blueBand = wavelengths.map((w) => w < 520);
  const normals = normalTable(subSeed(seed, 99));
  const weather = createRandom(subSeed(seed, 98));

  const dates = acquisitionDates(resolved.startDate, resolved.dates, resolved.cadenceDays).map(({ date, dayOfYear }, dateIndex) => {
    const soilWetness = weather.next();
    const ground = surfaceForDate(landscape, spectra, dateIndex, dayOfYear, soilWetness);
    const surface = ground.reflectance;
    if (sensor.topOfAtmosphere) {
      surface.forEach((band, b) => {
        for (let i = 0; i < band.length; i += 1) band[i] = band[i] * gasTransmittance[b] + pathRadiance[b];
      });
    }
    const atmosphere = atmosphereForDate({ size, seed, dateIndex, dayOfYear, stripes: sensor.stripes });
    const pixels = size * size;
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
      if (atmosphere.nodata[i]) {
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

    const { nodata, shadowOpacity, cloudBrightness, cirrusBrightness } = atmosphere;
    const thickOpacity = atmosphere.cloudOpacity;
    const { noiseSigma, dnOffset, dnScale } = sensor;
    const dn = surface.map((band, b) => {
      const out = new Uint16Array(pixels);
      const shadowLoss = 1 - Math.min(0.85, atmosphere.shadowDarkness + (blueBand[b] ? 0.1 : 0));
      const haze = hazeReflectance[b];
      const cloudFactor = cloudRelative[b];
      const cirrusValue = cirrusBrightness * cirrusRelative[b];
      let noiseState = (subSeed(atmosphere.noiseSeed, b) | 1) >>> 0;
      for (let i = 0; i < pixels; i += 1) {
        // xorshift32 picks a normal deviate from the table.
        noiseState ^= noiseState << 13;
        noiseState ^= noiseState >>> 17;
        noiseState ^= noiseState << 5;
        if (nodata[i] === 1) continue;
        let value = band[i] * (1 - shadowOpacity[i] * shadowLoss);
        if (hazeOpacity !== null) value += hazeOpacity[i] * (haze - value);
        value += thickOpacity[i] * (cloudBrightness[i] * cloudFactor - value);
        if (cirrusOpacity !== null) value += cirrusOpacity[i] * (cirrusValue - value);
        value += (noiseSigma + 0.01 * value) * normals[noiseState & 0xffff];
        const count = Math.round((value - dnOffset) / dnScale);
        out[i] = count < 1 ? 1 : count > 65535 ? 65535 : count;
      }
      return out;
    });

    const validCount = pixels - nodataCount;
    const events: string[] = [];
    if (landscape.floodDateIndices.includes(dateIndex)) events.push('flood');
    if (landscape.harvestDateIndices.includes(dateIndex)) events.push('harvest');
    onProgress?.(dateIndex + 1, resolved.dates);
    const result: SyntheticDate = {
      date,
      dn,
      truth,
      surface,
      landCover: ground.landCover,
      cloudOpacity,
      sun: atmosphere.sun,
      cloudFraction: validCount > 0 ? cloudCount / validCount : 0,
      shadowFraction: validCount > 0 ? shadowCount / validCount : 0,
      nodataFraction: nodataCount / pixels,
      cloudCoverTarget: atmosphere.cloudCoverTarget,
      hazeMaxOpacity: atmosphere.hazeMaxOpacity,
      cirrusMaxOpacity: atmosphere.cirrusMaxOpacity,
      shadowDarkness: atmosphere.shadowDarkness,
      events,
    };
    return result;
  });

  return {
    options: resolved,
    sensor,
    width: size,
    height: size,
    bandNames: [...sensor.bandNames],
    georeference: syntheticGeoreference(sensor),
    cloudOpacityThreshold: CLOUD_OPACITY_THRESHOLD,
    dates,
  };
}

/** 65536 standard normal deviates from the seed (sensor noise is drawn from this table). */
function normalTable(seed: number): Float32Array {
  const random = createRandom(seed);
  const table = new Float32Array(65536);
  for (let i = 0; i < table.length; i += 1) table[i] = random.normal();
  return table;
}
