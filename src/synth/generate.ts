import type { Georeference } from '../raster/types.js';
import { parseDateText } from '../raster/dates.js';
import { AutocmError } from '../util/errors.js';
import { createRandom } from '../util/random.js';
import { CLOUD_OPACITY_THRESHOLD, atmosphereForDate, type SunGeometry } from './atmosphere.js';
import { atmosphereSpectra, composeBand, dateFigures, normalTable, truthForDate, type AtmosphereSpectra, type BandEncoding } from './compose.js';
import { buildLandscape, surfaceForDate, surfaceSpectra, type Landscape, type SurfaceSpectra } from './landscape.js';
import { subSeed } from './noise.js';
import { TOA_GAS_TRANSMITTANCE, TOA_PATH_RADIANCE, tableForBands } from './spectra.js';
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

export { TRUTH } from './compose.js';

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

/** What a synthetic stack is, apart from its dates. */
export interface SyntheticStackInfo {
  options: Required<SyntheticStackOptions>;
  sensor: SyntheticSensorProfile;
  width: number;
  height: number;
  bandNames: string[];
  georeference: Georeference;
  cloudOpacityThreshold: number;
}

/** A whole stack in memory (about 30 bytes per pixel and date: for small stacks and tests). */
export interface SyntheticStack extends SyntheticStackInfo {
  dates: SyntheticDate[];
}

/** A stack whose dates are generated one at a time, in date order, as they are iterated (once). */
export interface SyntheticDateStream extends SyntheticStackInfo {
  dates: Iterable<SyntheticDate>;
}

export const SYNTHETIC_DEFAULTS = { startDate: '2023-03-01', cadenceDays: 7 } as const;

/** Checks the options and fills in the defaults; throws AutocmError naming the bad option. */
export function resolveSyntheticOptions(options: SyntheticStackOptions): Required<SyntheticStackOptions> {
  const { size, sensor } = options;
  if (!Number.isInteger(size) || size < 64 || size % 8 !== 0) {
    throw new AutocmError(`--size must be a multiple of 8 and at least 64 (the U-Net needs multiples of 8), got ${size}`);
  }
  if (size > 8192) throw new AutocmError(`--size at most 8192, got ${size}`);
  const { dates, seed, startDate, cadenceDays } = resolveSeriesOptions(options);
  if (!isSyntheticSensorName(sensor)) throw new AutocmError(`unknown sensor '${String(sensor)}': use one of ${SYNTHETIC_SENSORS.join(', ')}`);
  return { size, dates, sensor, seed, startDate, cadenceDays };
}

export type SeriesOptions = Pick<SyntheticStackOptions, 'dates' | 'seed' | 'startDate' | 'cadenceDays'>;

/** Checks the options of the date series and the seed, and fills in the defaults. */
export function resolveSeriesOptions(options: SeriesOptions): Required<SeriesOptions> {
  const { dates, seed } = options;
  if (!Number.isInteger(dates) || dates < 1 || dates > 1000) throw new AutocmError(`--dates must be an integer from 1 to 1000, got ${dates}`);
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new AutocmError(`--seed must be an integer from 0 to 4294967295, got ${seed}`);
  const startDate = options.startDate ?? SYNTHETIC_DEFAULTS.startDate;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(startDate) || parseDateText(startDate) === null) {
    throw new AutocmError(`--start-date must be a valid calendar date YYYY-MM-DD (1970-2100), got '${startDate}'`);
  }
  const cadenceDays = options.cadenceDays ?? SYNTHETIC_DEFAULTS.cadenceDays;
  if (!Number.isInteger(cadenceDays) || cadenceDays < 1 || cadenceDays > 365) throw new AutocmError(`--cadence-days must be an integer from 1 to 365, got ${cadenceDays}`);
  return { dates, seed, startDate, cadenceDays };
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
 * options give bit-identical arrays on every run and platform. Holds every date in memory;
 * streamSyntheticStack gives the same dates one at a time.
 */
export function generateSyntheticStack(options: SyntheticStackOptions, onProgress?: GenerateProgress): SyntheticStack {
  const stream = streamSyntheticStack(options);
  const dates: SyntheticDate[] = [];
  for (const date of stream.dates) {
    dates.push(date);
    onProgress?.(dates.length, stream.options.dates);
  }
  return { ...stream, dates };
}

/**
 * The stack of generateSyntheticStack, date by date: the options are checked now, the
 * landscape is built on the first date, and each date is computed when the iteration asks for
 * it, so that a caller who drops each date after use holds one date (plus the landscape) at a time.
 */
export function streamSyntheticStack(options: SyntheticStackOptions): SyntheticDateStream {
  const resolved = resolveSyntheticOptions(options);
  const sensor = syntheticSensorProfile(resolved.sensor);
  return {
    options: resolved,
    sensor,
    width: resolved.size,
    height: resolved.size,
    bandNames: [...sensor.bandNames],
    georeference: syntheticGeoreference(sensor),
    cloudOpacityThreshold: CLOUD_OPACITY_THRESHOLD,
    dates: syntheticDates(resolved, sensor),
  };
}

function* syntheticDates(resolved: Required<SyntheticStackOptions>, sensor: SyntheticSensorProfile): Generator<SyntheticDate, void, undefined> {
  const { size, seed } = resolved;
  const wavelengths = sensor.wavelengthsNm;
  const context: DateContext = {
    size,
    seed,
    sensor,
    landscape: buildLandscape(size, resolved.dates, seed),
    spectra: surfaceSpectra(wavelengths),
    atmosphereTables: atmosphereSpectra(wavelengths),
    pathRadiance: tableForBands(TOA_PATH_RADIANCE, wavelengths),
    gasTransmittance: tableForBands(TOA_GAS_TRANSMITTANCE, wavelengths),
    normals: normalTable(subSeed(seed, 99)),
  };
  // One draw per date, in date order: the reason the dates are generated in sequence.
  const weather = createRandom(subSeed(seed, 98));
  for (const [dateIndex, { date, dayOfYear }] of acquisitionDates(resolved.startDate, resolved.dates, resolved.cadenceDays).entries()) {
    yield generateDate(context, dateIndex, date, dayOfYear, weather.next());
  }
}

/** What every date of a stack shares. */
interface DateContext {
  size: number;
  seed: number;
  sensor: SyntheticSensorProfile;
  landscape: Landscape;
  spectra: SurfaceSpectra;
  atmosphereTables: AtmosphereSpectra;
  pathRadiance: Float32Array;
  gasTransmittance: Float32Array;
  normals: Float32Array;
}

function generateDate(context: DateContext, dateIndex: number, date: string, dayOfYear: number, soilWetness: number): SyntheticDate {
  const { size, seed, sensor, landscape, pathRadiance, gasTransmittance } = context;
  const ground = surfaceForDate(landscape, context.spectra, dateIndex, dayOfYear, soilWetness);
  const surface = ground.reflectance;
  if (sensor.topOfAtmosphere) {
    surface.forEach((band, b) => {
      for (let i = 0; i < band.length; i += 1) band[i] = band[i] * gasTransmittance[b] + pathRadiance[b];
    });
  }
  const atmosphere = atmosphereForDate({ size, seed, dateIndex, dayOfYear, stripes: sensor.stripes });
  const pixels = size * size;
  const dateTruth = truthForDate(atmosphere, atmosphere.nodata);
  const { truth, cloudOpacity } = dateTruth;
  const encoding: BandEncoding = { scale: sensor.dnScale, offset: sensor.dnOffset, round: true, min: 1, max: 65535, nodata: 0 };
  const dn = surface.map((band, b) => {
    const out = new Uint16Array(pixels);
    composeBand({ surface: band, band: b, atmosphere, nodata: atmosphere.nodata, spectra: context.atmosphereTables, normals: context.normals, noiseSigma: sensor.noiseSigma, noiseWeight: null, encoding, out });
    return out;
  });

  const events: string[] = [];
  if (landscape.floodDateIndices.includes(dateIndex)) events.push('flood');
  if (landscape.harvestDateIndices.includes(dateIndex)) events.push('harvest');
  return {
    date,
    dn,
    truth,
    surface,
    landCover: ground.landCover,
    cloudOpacity,
    sun: atmosphere.sun,
    ...dateFigures(dateTruth, atmosphere, events),
  };
}
