import { rm } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { writeFileAtomically } from '../util/atomic.js';
import { AutocmError } from '../util/errors.js';
import { progressBar } from '../util/progress.js';
import { CLOUD_OPACITY_THRESHOLD } from './atmosphere.js';
import { atmosphereSpectra, normalTable } from './compose.js';
import { acquisitionDates, resolveSeriesOptions } from './generate.js';
import { composeGroundDate, groundEncoding, type GroundEncoding } from './ground-generate.js';
import { groundBrightness, imageWarning, seriesWarnings, type GroundBrightness } from './ground-check.js';
import { openGround, readGroundReflectance, type GroundSeries } from './ground-input.js';
import { groundManifest, groundSensorProfile, type GroundManifest, type GroundManifestOptions } from './ground-manifest.js';
import { subSeed } from './noise.js';
import { applyPhenology, createPhenology, seasonalFactors, type Phenology } from './phenology.js';
import { describeFsError, prepareOutputDirectory } from './output-dir.js';
import { manifestDateEntry, writeDateFiles, type DateFilesLayout } from './write.js';
import { removeStackFiles } from './write-folder.js';

export interface GroundSynthOptions {
  /** Real clear images: files, folders, globs, list files (as for any autocm stack). */
  ground: string[];
  /** Sensor of the ground images (id or JSON profile); else a sensor.json beside them, else detected. */
  groundSensor?: string;
  seed: number;
  /** With a single ground image: the dates it is repeated over (default 30 dates, 7 days apart, from the image's own date). */
  dates?: number;
  startDate?: string;
  cadenceDays?: number;
  force?: boolean;
  quiet?: boolean;
  /** Called with each warning (a ground image that looks cloudy); default: written to stderr. */
  onWarning?: (message: string) => void;
}

export interface GroundSynthResult {
  directory: string;
  manifest: GroundManifest;
  warnings: string[];
  seconds: number;
}

/**
 * Writes a semi-synthetic stack into `dir`: the synthetic clouds, haze, cirrus and shadows of
 * `autocm synth` over real clear ground images, in the plain synth layout (img_YYYYMMDD.tif,
 * masks/, surface/, manifest.json) plus sensor.json, the profile of the written images. The
 * images keep the ground's grid, band order, sample type and scaling. Bad ground fails before
 * anything is created; on a later failure the files of this run are removed again.
 */
export async function synthesiseGroundToFolder(dir: string, options: GroundSynthOptions): Promise<GroundSynthResult> {
  const start = performance.now();
  const warnings: string[] = [];
  const warn = (message: string) => {
    warnings.push(message);
    (options.onWarning ?? ((m: string) => process.stderr.write(`autocm: warning: ${m}\n`)))(message);
  };
  const seriesOptions = resolveSeriesOptions({ dates: options.dates ?? 30, seed: options.seed, startDate: options.startDate, cadenceDays: options.cadenceDays });
  const series = await openGround(options.ground, options.groundSensor);
  const single = series.images.length === 1;
  if (!single && (options.dates !== undefined || options.startDate !== undefined || options.cadenceDays !== undefined)) {
    throw new AutocmError(`--dates, --start-date and --cadence-days apply to a single --ground image only: the ${series.images.length} ground images give the dates`);
  }
  if (series.images.some((image) => resolve(dirname(image.source)) === resolve(dir))) {
    throw new AutocmError('the output folder holds the ground images: choose another folder', resolve(dir));
  }
  const plan = single
    ? acquisitionDates(options.startDate ?? series.dates[0] ?? seriesOptions.startDate, seriesOptions.dates, seriesOptions.cadenceDays)
    : series.dates.map((date) => acquisitionDates(date!, 1, 1)[0]);
  const manifestOptions: GroundManifestOptions = single
    ? { ground: options.ground, seed: options.seed, dates: plan.length, startDate: plan[0].date, cadenceDays: seriesOptions.cadenceDays }
    : { ground: options.ground, seed: options.seed };

  const prepared = await prepareOutputDirectory(dir, { force: options.force, what: 'synthetic stack folder' });
  if (options.force) await removeStackFiles(prepared.path);
  const encoding = groundEncoding(series);
  const spectra = atmosphereSpectra(series.wavelengthsNm);
  const normals = normalTable(subSeed(options.seed, 99));
  const layout = groundLayout(series, encoding, options.seed);
  const bar = progressBar('synth: dates', plan.length, { quiet: options.quiet });
  const brightness: GroundBrightness[] = [];
  const readGround = async (index: number): Promise<Float32Array[]> => {
    const reflectance = await readGroundReflectance(series, index);
    brightness.push(groundBrightness(reflectance, series.bandNames));
    const warning = imageWarning(brightness[index], series.images[index].source);
    if (warning) warn(warning);
    return reflectance;
  };
  try {
    let phenology: Phenology | null = null;
    let base: Float32Array[] = [];
    if (single) {
      base = await readGround(0);
      phenology = createPhenology(series.width, series.height, options.seed, acquisitionDates(series.dates[0] ?? plan[0].date, 1, 1)[0].dayOfYear, series.bandNames);
    }
    const entries: GroundManifest['dates'] = [];
    for (const [dateIndex, { date, dayOfYear }] of plan.entries()) {
      const surface = phenology ? applyPhenology(phenology, base, dayOfYear) : await readGround(dateIndex);
      const result = composeGroundDate(surface, { width: series.width, height: series.height, seed: options.seed, dateIndex, dayOfYear, spectra, normals, encoding });
      const groundFile = basename(series.images[phenology ? 0 : dateIndex].source);
      await writeDateFiles(prepared.path, layout(groundFile), { date, image: result.dn, truth: result.truth, surface });
      const factors = phenology ? { phenologyFactors: seasonalFactors(phenology, dayOfYear).map((f) => Number(f.toFixed(5))) } : {};
      entries.push({ ...manifestDateEntry({ ...result, date }), ground: groundFile, ...factors });
      bar.update(dateIndex + 1);
    }
    bar.stop();
    seriesWarnings(brightness, series.images.map((image) => image.source)).forEach(warn);
    const manifest = groundManifest(series, encoding, manifestOptions, CLOUD_OPACITY_THRESHOLD, entries);
    await writeFileAtomically(join(prepared.path, 'sensor.json'), `${JSON.stringify(groundSensorProfile(series, encoding), null, 2)}\n`);
    await writeFileAtomically(join(prepared.path, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    return { directory: prepared.path, manifest, warnings, seconds: (performance.now() - start) / 1000 };
  } catch (error) {
    bar.stop();
    if (prepared.created) await rm(prepared.path, { recursive: true, force: true });
    else {
      await removeStackFiles(prepared.path, plan.map((d) => d.date));
      await rm(join(prepared.path, 'sensor.json'), { force: true });
    }
    if (error instanceof AutocmError) throw error;
    throw new AutocmError(`writing the synthetic stack failed: ${describeFsError(error)}`, prepared.path);
  }
}

/** The file layout of each date, given the name of its ground image. */
function groundLayout(series: GroundSeries, encoding: GroundEncoding, seed: number): (groundFile: string) => DateFilesLayout {
  const image = series.images[0];
  const bandMetadata = series.bandIndices.map((index) => image.info.bandMetadata?.[index] ?? {});
  const reflectance = encoding.bands.map((b, k) => `${series.bandNames[k]} DN * ${b.scale} + ${b.offset}`).join(', ');
  return (groundFile) => ({
    width: series.width,
    height: series.height,
    georeference: series.georeference,
    bandDescriptions: series.bandIndices.map((index) => image.bands[index].name),
    imageSampleType: encoding.sampleType,
    imageNodata: encoding.nodata,
    ...(bandMetadata.some((items) => Object.keys(items).length > 0) ? { imageBandMetadata: bandMetadata } : {}),
    metadata: (date) => ({ ACQUISITION_DATE: date, AUTOCM_SYNTHETIC_SEED: String(seed), AUTOCM_GROUND: groundFile }),
    imageMetadata: () => ({ REFLECTANCE: reflectance }),
  });
}
