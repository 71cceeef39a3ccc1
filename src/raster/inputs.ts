/**
 * Input resolution: files, folders, globs, list files (.txt), STAC JSON (local or URL) -> image
 * references -> inspected images (sensor, bands with scaling, date, header), each able to open
 * itself as a RasterSource (one file, or per-band files combined by band name).
 *
 * A folder's images are its *.tif/*.tiff files (not recursive), except reference masks kept beside
 * them (`mask_*`) and autocm's own outputs (`*_cloudmask`, `*_cloudprob`). Per-band files
 * (`<stem>_B02.tif`, `<stem>_SR_B4.TIF`) with one stem form one image; other files of that stem
 * (`<stem>_QA_PIXEL.TIF`, `<stem>_TCI_10m.tif`) are left out.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import fg from 'fast-glob';
import { AutocmError } from '../util/errors.js';
import { combineBandFiles, gridDifference, splitBandFileName } from './band-files.js';
import { imageDate, type DateSource } from './dates.js';
import { eightBitScalingGuess } from './eight-bit-guess.js';
import { openRaster } from './open.js';
import { imageBandScaling, type ImageBand } from './reflectance.js';
import { chooseSensor, detectSensorCandidates, findBand, getSensorProfile, listSensorIds, type SensorBand, type SensorProfile } from './sensors.js';
import { productArchiveRefs, productFolderRefs } from './products/product-folders.js';
import type { ProductMetadata } from './products/product-metadata.js';
import { stacImageRefs } from './stac.js';
import type { RasterInfo, RasterSource } from './types.js';

/** An image before inspection: one multi-band file, or one file per band. */
export interface ImageRef {
  id: string;
  files: { path: string; band?: string }[];
  /** Band names of a multi-band file from STAC `eo:bands`, used when the file has no band descriptions. */
  bandHints?: string[];
  /** Acquisition time from STAC. */
  date?: Date | null;
  fromStac?: boolean;
  /** Extra metadata for sensor detection (STAC item id, platform...). */
  metadata?: Record<string, string>;
  extraNames?: string[];
  /** What a product reader (Sentinel-2 SAFE, Landsat C2, PlanetScope, STAC) found: sun angles, scaling, product mask. */
  product?: ProductMetadata;
  /** The date came from product metadata (not STAC). */
  fromProduct?: boolean;
}

export interface StackImage {
  /** File stem (or STAC item id): names the outputs. */
  id: string;
  /** Path or URL; for per-band images the first band file. */
  source: string;
  /** Every file of the image: one, or one per band in band order. */
  files: string[];
  date: Date | null;
  dateSource: DateSource;
  sensor: SensorProfile;
  /** 'option' when --sensor named it, else 'detected'. */
  sensorHow: 'option' | 'detected';
  /** Per band of the opened source: the profile band with this image's reflectance scaling. */
  bands: ImageBand[];
  /** Common band names in band order (e.g. blue, green, red, nir): what models and baselines match. */
  bandNames: string[];
  /** How the scaling was decided (baseline, MTL file...). */
  scalingNote: string;
  /** Set when the radiometry is guessed (unknown Sentinel-2 baseline, no MTL, int8 data): said in predict/train output and metadata. */
  scalingGuess: string | null;
  /** Per-band files left out because they are on another grid (e.g. Sentinel-2 20 m bands beside 10 m ones). */
  droppedBands: string[];
  /** Header of the (combined) image. */
  info: RasterInfo;
  /** Effective nodata: the file's, else the profile's default. */
  nodata: number | null;
  /** Product metadata (sun angles, baseline or collection, default mask) when a product reader found the image. */
  product: ProductMetadata | null;
  /** Top-left of the stack's common window inside this image (0, 0 outside a stack). */
  offset: { x: number; y: number };
  open(): Promise<RasterSource>;
}

export interface ResolveOptions {
  /** Built-in sensor id or a JSON profile path; detected when omitted. */
  sensor?: string;
  /** Bands to take from per-band files and STAC assets (names like B04 or common names like red). */
  bands?: string[];
}

/** Images a folder may hold: GeoTIFFs, and JPEG 2000 band files (Sentinel-2 IMG_DATA). */
const imageName = /\.(tiff?|jp2)$/i;
const excludedStem = /^mask_|_cloudmask$|_cloudprob$/i;
const globChars = /[*?[\]{}]/;

function isUrl(text: string): boolean {
  return /^https?:\/\//i.test(text);
}

function stemOf(path: string): string {
  const name = basename(path.replace(/[?#].*$/, ''));
  return name.slice(0, name.length - extname(name).length);
}

/** Single files, and per-band files grouped by stem (same folder), in name order. */
export function groupFiles(paths: string[]): ImageRef[] {
  const refs: ImageRef[] = [];
  const groups = new Map<string, ImageRef>();
  for (const path of [...paths].sort()) {
    const split = splitBandFileName(basename(path));
    if (!split) {
      refs.push({ id: stemOf(path), files: [{ path }] });
      continue;
    }
    const key = join(dirname(path), split.stem);
    let group = groups.get(key);
    if (!group) {
      group = { id: split.stem.replace(/_(SR|ST)$/i, ''), files: [] };
      groups.set(key, group);
      refs.push(group);
    }
    group.files.push({ path, band: split.band });
  }
  // Side files of a per-band product (QA_PIXEL, TCI, angle bands...) are not images of their own.
  const groupStems = [...groups.keys()].map((key) => `${key}_`);
  return refs.filter((ref) => ref.files.length > 1 || ref.files[0].band !== undefined || !groupStems.some((stem) => ref.files[0].path.startsWith(stem)));
}

async function folderImages(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { withFileTypes: true });
  const candidates = entries.filter((e) => (e.isFile() || e.isSymbolicLink()) && imageName.test(e.name) && !excludedStem.test(stemOf(e.name)));
  const files: string[] = [];
  // A symbolic link counts when it leads to a file (folders of links are a common way to assemble a stack).
  for (const entry of candidates) {
    const path = join(folder, entry.name);
    if (entry.isFile() || (await stat(path).catch(() => null))?.isFile()) files.push(path);
  }
  return files;
}

async function listFile(path: string): Promise<string[]> {
  const text = await readFile(path, 'utf8');
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => (isUrl(line) ? line : resolve(dirname(path), line)));
}

/** The wanted bands of per-band inputs: --bands, else the sensor's model bands, else Blue, Green, Red, NIR. */
function wantedBands(options: ResolveOptions): string[] {
  if (options.bands && options.bands.length > 0) return options.bands;
  if (options.sensor) return getSensorProfile(options.sensor).modelBands;
  return ['blue', 'green', 'red', 'nir'];
}

/** Name of the sensor profile file that a folder of images may carry (e.g. ../shared/data/naip-nd-10dates). */
export const SENSOR_FILE = 'sensor.json';

/** Expands inputs into image references, without opening any raster. */
export async function expandInputs(inputs: string[], options: ResolveOptions = {}): Promise<ImageRef[]> {
  const refs: ImageRef[] = [];
  for (const input of inputs) {
    if (isUrl(input)) {
      if (/\.json$/i.test(input.replace(/[?#].*$/, '')) || /\/(search|items)\/?(\?|$)/.test(input)) refs.push(...(await stacImageRefs(input, wantedBands(options), options.sensor ? getSensorProfile(options.sensor) : undefined)));
      else refs.push({ id: stemOf(input), files: [{ path: input }] });
      continue;
    }
    let kind: 'file' | 'folder' | 'missing';
    try {
      kind = (await stat(input)).isDirectory() ? 'folder' : 'file';
    } catch {
      kind = 'missing';
    }
    if (kind === 'missing') {
      if (!globChars.test(input)) throw new AutocmError('file or folder not found', input);
      const matches = (await fg(input, { onlyFiles: true, absolute: true })).filter((p) => imageName.test(p));
      if (matches.length === 0) throw new AutocmError('the pattern matches no .tif file', input);
      refs.push(...groupFiles(matches));
    } else if (kind === 'folder') {
      const products = await productFolderRefs(input);
      if (products) {
        refs.push(...products);
        continue;
      }
      const files = await folderImages(input);
      if (files.length === 0) {
        throw new AutocmError('the folder holds no .tif image (nor .jp2 band file)', input);
      }
      refs.push(...groupFiles(files));
    } else if (/\.tar$/i.test(input)) {
      const archived = productArchiveRefs(input);
      if (!archived) throw new AutocmError('the tar archive holds no Landsat product (no *_MTL.txt, .xml or .json naming band files)', input);
      refs.push(...archived);
    } else if (/\.json$/i.test(input)) {
      refs.push(...(await stacImageRefs(input, wantedBands(options), options.sensor ? getSensorProfile(options.sensor) : undefined)));
    } else if (/\.(txt|lst|list)$/i.test(input)) {
      const lines = await listFile(input);
      if (lines.length === 0) throw new AutocmError('the list file names no image', input);
      refs.push(...(await expandInputs(lines, options)));
    } else {
      refs.push({ id: stemOf(input), files: [{ path: input }] });
    }
  }
  return refs;
}

async function openAll(paths: string[]): Promise<RasterSource[]> {
  const opened: RasterSource[] = [];
  try {
    for (const path of paths) opened.push(await openRaster(path));
    return opened;
  } catch (error) {
    await Promise.all(opened.map((s) => s.close()));
    throw error;
  }
}

/** Inspection result before a sensor is required (info shows images whose sensor is unknown). */
export interface InspectedImage {
  ref: ImageRef;
  image: StackImage | null;
  /** Header of the file (or first band file) when the sensor could not be chosen. */
  info: RasterInfo | null;
  problem: string | null;
}

interface Chosen {
  profile: SensorProfile;
  how: 'option' | 'detected';
  bands: SensorBand[];
  files: string[];
  dropped: string[];
  info: RasterInfo;
}

/** Sensor and bands of a single multi-band file. */
/** A `sensor.json` profile beside a local image, used when no sensor is named. */
function sensorFileBeside(path: string): string | undefined {
  if (isUrl(path)) return undefined;
  const candidate = join(dirname(path), SENSOR_FILE);
  return existsSync(candidate) ? candidate : undefined;
}

/**
 * A named sensor whose band layouts do not include the file's band count is refused even when the
 * band descriptions name its bands (blue, green, red, nir): a 4-band PlanetScope file read as
 * Landsat 8-9 L2 gets Landsat's scaling and 3.6 % cloud instead of 63 %.
 */
function refuseForeignLayout(profile: SensorProfile, info: RasterInfo, bands: SensorBand[], names: string[]): void {
  const fits = (p: SensorProfile) => p.layouts.some((layout) => layout.length === info.bandCount);
  const candidates = detectSensorCandidates(info, names);
  const others = candidates.filter((p) => p.id !== profile.id && fits(p));
  const builtin = listSensorIds().includes(profile.id);
  // The file's own metadata or name says another sensor (a built-in one was named): its scaling wins.
  const conflict = builtin && candidates.length > 0 && !candidates.some((p) => p.id === profile.id) && others.length > 0;
  if (fits(profile) && !conflict) return;
  const why = fits(profile)
    ? `its metadata or name says ${others.map((p) => p.id).join(' or ')}`
    : `--sensor ${profile.id} has ${profile.layouts.map((l) => l.length).join(' or ')} bands, this image ${info.bandCount} (${bands.map((b) => b.common).join(', ')})`;
  throw new AutocmError(
    `not read as --sensor ${profile.id}: ${why}, and that sensor's reflectance scaling would be wrong for it. ` +
      `Give the sensor the image comes from${others.length ? ` (${others.map((p) => p.id).join(' or ')})` : ''}, or a JSON profile with its ${info.bandCount}-band layout`,
    info.source,
  );
}

function chooseForFile(ref: ImageRef, info: RasterInfo, options: ResolveOptions): Chosen {
  const described = info.bandDescriptions.some((d) => d !== '') || !ref.bandHints ? info.bandDescriptions : ref.bandHints;
  const sensor = options.sensor ?? sensorFileBeside(info.source);
  const choice = chooseSensor({ ...info, bandDescriptions: described, metadata: { ...info.metadata, ...ref.metadata } }, sensor, [ref.id, ...(ref.extraNames ?? [])]);
  if (options.sensor !== undefined) refuseForeignLayout(choice.profile, info, choice.bands, [ref.id, ...(ref.extraNames ?? [])]);
  return { profile: choice.profile, how: choice.how, bands: choice.bands, files: [info.source], dropped: [], info };
}

/**
 * Sensor and bands of per-band files: each file's band name is looked up in the profile; with
 * --bands only those are taken (all must be on one grid), else every band on the grid of the
 * first model band found, the others being reported as dropped.
 */
function chooseForBandFiles(ref: ImageRef, sources: RasterSource[], options: ResolveOptions): { chosen: Chosen; keep: number[] } {
  const first = sources[0].info;
  const keys = ref.files.map((f, i) => f.band ?? sources[i].info.bandDescriptions[0] ?? `band${i + 1}`);
  const pseudo = { ...first, bandCount: keys.length, bandDescriptions: keys, metadata: { ...first.metadata, ...ref.metadata } };
  const names = [ref.id, ...ref.files.map((f) => basename(f.path))];
  const choice = chooseSensor(pseudo, options.sensor, names);
  const profile = choice.profile;
  const bandOf = choice.bands;
  let keep: number[];
  const dropped: string[] = [];
  if (options.bands && options.bands.length > 0) {
    keep = options.bands.map((wanted) => {
      const band = findBand(profile, wanted);
      const index = band ? bandOf.findIndex((b) => b.name === band.name) : -1;
      if (index < 0) throw new AutocmError(`no band file for band ${wanted} (files: ${keys.join(', ')})`, ref.files[0].path);
      return index;
    });
    for (const i of keep) {
      const difference = gridDifference(sources[keep[0]].info, sources[i].info);
      if (difference) {
        throw new AutocmError(`band ${keys[i]} is not on the grid of band ${keys[keep[0]]} (${sources[keep[0]].info.source}): ${difference}; choose bands of one resolution with --bands`, sources[i].info.source);
      }
    }
  } else {
    const anchorCommon = profile.modelBands.find((c) => bandOf.some((b) => b.common === c));
    const anchor = anchorCommon ? bandOf.findIndex((b) => b.common === anchorCommon) : 0;
    keep = [];
    sources.forEach((s, i) => {
      if (gridDifference(sources[anchor].info, s.info) === null) keep.push(i);
      else dropped.push(`${keys[i]} (${s.info.width} x ${s.info.height})`);
    });
    const order = profile.bands.map((b) => b.name);
    keep.sort((a, b) => order.indexOf(bandOf[a].name) - order.indexOf(bandOf[b].name));
  }
  return {
    chosen: { profile, how: choice.how, bands: keep.map((i) => bandOf[i]), files: keep.map((i) => ref.files[i].path), dropped, info: first },
    keep,
  };
}

/** The product's own per-band scaling when it covers every chosen band, else null (the profile decides). */
function productBandScaling(product: ProductMetadata | undefined, bands: SensorBand[]): { bands: ImageBand[]; note: string; guess?: string } | null {
  if (!product || bands.length === 0 || !bands.every((b) => product.bandScaling[b.name])) return null;
  return { bands: bands.map((b) => ({ ...b, ...product.bandScaling[b.name] })), note: product.scalingNote ?? `${product.product} metadata scaling` };
}

function makeImage(ref: ImageRef, chosen: Chosen, info: RasterInfo): StackImage {
  const scaling = productBandScaling(ref.product, chosen.bands) ?? imageBandScaling(chosen.profile, chosen.bands, { ...info.metadata, ...ref.metadata }, chosen.files);
  const { date, dateSource } =
    ref.fromStac && ref.date
      ? { date: ref.date, dateSource: 'stac' as const }
      : ref.fromProduct && ref.date
        ? { date: ref.date, dateSource: 'product-metadata' as const }
        : imageDate(info.metadata, [ref.id, ...chosen.files.map((f) => basename(f))]);
  const files = chosen.files;
  const bandKeys = ref.files.length > 1 ? files.map((f) => ref.files.find((r) => r.path === f)?.band ?? '') : [];
  return {
    id: ref.id,
    source: files[0],
    files,
    date,
    dateSource,
    sensor: chosen.profile,
    sensorHow: chosen.how,
    bands: scaling.bands,
    bandNames: scaling.bands.map((b) => b.common),
    scalingNote: scaling.note,
    scalingGuess: scaling.guess ?? eightBitScalingGuess(info.sampleType, chosen.profile, scaling.bands),
    droppedBands: chosen.dropped,
    product: ref.product ?? null,
    info,
    nodata: info.nodata ?? chosen.profile.nodata,
    offset: { x: 0, y: 0 },
    open: async () => {
      if (files.length === 1) return openRaster(files[0]);
      const sources = await openAll(files);
      return combineBandFiles(sources.map((source, i) => ({ band: bandKeys[i], source })));
    },
  };
}

/**
 * Opens the headers of one reference and names its sensor and bands. `lenient` (for info) keeps
 * going when detection fails; a --sensor that does not fit the file is always an error.
 */
export async function inspectImage(ref: ImageRef, options: ResolveOptions = {}, lenient = false): Promise<InspectedImage> {
  const sources = await openAll(ref.files.map((f) => f.path));
  try {
    if (sources.length === 1 && ref.files[0].band === undefined) {
      const info = sources[0].info;
      try {
        return { ref, image: makeImage(ref, chooseForFile(ref, info, options), info), info, problem: null };
      } catch (error) {
        if (!lenient || options.sensor !== undefined || !(error instanceof AutocmError)) throw error;
        return { ref, image: null, info, problem: error.message };
      }
    }
    let chosen: Chosen;
    let keep: number[];
    try {
      ({ chosen, keep } = chooseForBandFiles(ref, sources, options));
    } catch (error) {
      if (!lenient || options.sensor !== undefined || !(error instanceof AutocmError)) throw error;
      return { ref, image: null, info: sources[0].info, problem: error.message };
    }
    const combined = await combineBandFiles(keep.map((i) => ({ band: ref.files[i].band ?? `band${i + 1}`, source: sources[i] })));
    const info = combined.info;
    return { ref, image: makeImage(ref, chosen, info), info, problem: null };
  } finally {
    // combineBandFiles closes the files itself when it refuses them: a second close is harmless.
    await Promise.all(sources.map((s) => s.close().catch(() => undefined)));
  }
}

/**
 * The images of the inputs in input order (folder contents and globs in name order), each
 * inspected: sensor (--sensor or detected), bands, scaling, date. For commands that take single
 * images (predict); `openStack` adds ordering by time and co-registration.
 */
export async function resolveInputs(inputs: string[], options: ResolveOptions = {}): Promise<StackImage[]> {
  const refs = await expandInputs(inputs, options);
  const images: StackImage[] = [];
  for (const ref of refs) images.push((await inspectImage(ref, options)).image!);
  return images;
}
