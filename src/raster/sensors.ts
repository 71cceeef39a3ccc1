/**
 * Sensor profiles: band names, the bands the cloud model uses, reflectance scaling, nodata and
 * saturation; lookup by id or a user's JSON file; detection from metadata and file names; and
 * naming the bands of a file from its band descriptions or its band count.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { AutocmError } from '../util/errors.js';
import { builtinProfiles } from './sensor-profiles.js';
import type { RasterInfo } from './types.js';

export interface SensorBand {
  /** The product's band name, e.g. 'B02', 'B4'. */
  name: string;
  /** STAC-like common name: 'blue', 'green', 'red', 'nir', 'swir1', 'swir2', 'cirrus', ... */
  common: string;
  /** reflectance = DN * scale + offset */
  scale: number;
  offset: number;
  /** Other names that identify the band in descriptions, file names or STAC (e.g. 'SR_B4', 'swir16'). */
  aliases: string[];
}

export interface SensorProfile {
  id: string;
  description: string;
  bands: SensorBand[];
  /** Common names of the bands the cloud model uses by default, in model order. */
  modelBands: string[];
  /** Band orders (by band name) a stacked file may have when its band descriptions do not name the bands. */
  layouts: string[][];
  /** Default nodata DN when the file declares none. */
  nodata: number | null;
  /** DN at or above which a value is saturated (kept, not masked: saturated pixels are often cloud). */
  saturation: number | null;
  /** What `DN * scale + offset` gives: reflectance, or an uncalibrated/mask quantity. */
  units: 'reflectance' | 'dn' | 'mask';
  /** Regular expressions (sources) tried on the file name. */
  fileNamePatterns: string[];
  /** Regular expressions (sources) tried on the metadata values and band descriptions. */
  metadataPatterns: string[];
}

export function listSensorIds(): string[] {
  return builtinProfiles.map((p) => p.id);
}

export function builtinSensor(id: string): SensorProfile | undefined {
  return builtinProfiles.find((p) => p.id === id);
}

function unknownSensor(id: string): AutocmError {
  return new AutocmError(`unknown sensor "${id}": use one of ${listSensorIds().join(', ')}, or a JSON profile file (e.g. --sensor ./my-sensor.json)`);
}

/** A built-in id, or a path to a user profile (anything ending in .json). */
export function getSensorProfile(idOrPath: string): SensorProfile {
  if (/\.json$/i.test(idOrPath)) return loadSensorProfileFile(idOrPath);
  const profile = builtinSensor(idOrPath);
  if (!profile) throw unknownSensor(idOrPath);
  return profile;
}

export function loadSensorProfileFile(path: string): SensorProfile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new AutocmError(code === 'ENOENT' ? 'sensor profile file not found' : `cannot read sensor profile: ${(error as Error).message}`, path);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new AutocmError(`sensor profile is not valid JSON: ${(error as Error).message}`, path);
  }
  return validateSensorProfile(value, path);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Checks a user profile: { id, description?, bands: [{ name, common?, scale?, offset?, aliases? }],
 * modelBands?, layouts?, nodata?, saturation?, units?, fileNamePatterns?, metadataPatterns? }.
 * Every problem is reported with its JSON path.
 */
export function validateSensorProfile(value: unknown, file: string): SensorProfile {
  const fail = (where: string, problem: string): never => {
    throw new AutocmError(`invalid sensor profile: ${where} ${problem}`, file);
  };
  if (!isRecord(value)) return fail('the file', 'must hold a JSON object');
  const known = ['id', 'description', 'bands', 'modelBands', 'layouts', 'nodata', 'saturation', 'units', 'fileNamePatterns', 'metadataPatterns'];
  for (const key of Object.keys(value)) if (!known.includes(key)) fail(`"${key}"`, `is not a profile field (fields: ${known.join(', ')})`);
  const id = value.id;
  if (typeof id !== 'string' || !/^[a-z0-9][a-z0-9_-]{0,39}$/.test(id)) fail('"id"', 'must be 1-40 characters of a-z, 0-9, _ and - (starting with a letter or digit)');
  const description = value.description ?? id;
  if (typeof description !== 'string') fail('"description"', 'must be a string');
  if (!Array.isArray(value.bands) || value.bands.length === 0) return fail('"bands"', 'must be a non-empty array');
  const bands: SensorBand[] = value.bands.map((entry: unknown, i: number) => {
    const where = `bands[${i}]`;
    if (!isRecord(entry)) return fail(where, 'must be an object { name, common, scale, offset }');
    const name = entry.name;
    if (typeof name !== 'string' || name.trim() === '') return fail(`${where}.name`, 'must be a non-empty string');
    const common = entry.common ?? name.toLowerCase();
    if (typeof common !== 'string' || common === '') return fail(`${where}.common`, 'must be a non-empty string (e.g. blue, green, red, nir)');
    const scale = entry.scale ?? 1;
    const offset = entry.offset ?? 0;
    if (typeof scale !== 'number' || !Number.isFinite(scale) || scale === 0) fail(`${where}.scale`, 'must be a finite non-zero number');
    if (typeof offset !== 'number' || !Number.isFinite(offset)) fail(`${where}.offset`, 'must be a finite number');
    const aliases = entry.aliases ?? [];
    if (!Array.isArray(aliases) || !aliases.every((a) => typeof a === 'string')) fail(`${where}.aliases`, 'must be an array of strings');
    return { name, common: common.toLowerCase(), scale: scale as number, offset: offset as number, aliases: aliases as string[] };
  });
  const names = new Set<string>();
  const commons = new Set<string>();
  bands.forEach((b, i) => {
    if (names.has(b.name.toLowerCase())) fail(`bands[${i}].name`, `"${b.name}" appears twice`);
    if (commons.has(b.common)) fail(`bands[${i}].common`, `"${b.common}" appears twice`);
    names.add(b.name.toLowerCase());
    commons.add(b.common);
  });
  const defaultModel = ['blue', 'green', 'red', 'nir'].filter((c) => commons.has(c));
  const modelBands = value.modelBands ?? defaultModel;
  if (!Array.isArray(modelBands) || !modelBands.every((c) => typeof c === 'string' && commons.has(c.toLowerCase()))) {
    fail('"modelBands"', `must list common names of the profile's bands (${[...commons].join(', ')})`);
  }
  const layouts = value.layouts ?? [bands.map((b) => b.name)];
  if (!Array.isArray(layouts) || !layouts.every((l) => Array.isArray(l) && l.length > 0 && l.every((n) => typeof n === 'string' && names.has(n.toLowerCase())))) {
    fail('"layouts"', 'must be an array of band-name lists, each naming bands of the profile');
  }
  const nodata = value.nodata ?? null;
  if (nodata !== null && (typeof nodata !== 'number' || Number.isNaN(nodata))) fail('"nodata"', 'must be a number or null');
  const saturation = value.saturation ?? null;
  if (saturation !== null && typeof saturation !== 'number') fail('"saturation"', 'must be a number or null');
  const units = value.units ?? 'reflectance';
  if (units !== 'reflectance' && units !== 'dn' && units !== 'mask') fail('"units"', 'must be "reflectance", "dn" or "mask"');
  const patterns = (key: 'fileNamePatterns' | 'metadataPatterns'): string[] => {
    const list = value[key] ?? [];
    if (!Array.isArray(list) || !list.every((p) => typeof p === 'string')) return fail(`"${key}"`, 'must be an array of regular expressions (strings)');
    for (const p of list as string[]) {
      try {
        new RegExp(p, 'i');
      } catch (error) {
        fail(`"${key}"`, `holds an invalid regular expression ${JSON.stringify(p)}: ${(error as Error).message}`);
      }
    }
    return list as string[];
  };
  const canonicalLayouts = (layouts as string[][]).map((l) => l.map((n) => bands.find((b) => b.name.toLowerCase() === n.toLowerCase())!.name));
  return {
    id: id as string,
    description: description as string,
    bands,
    modelBands: (modelBands as string[]).map((c) => c.toLowerCase()),
    layouts: canonicalLayouts,
    nodata: nodata as number | null,
    saturation: saturation as number | null,
    units: units as SensorProfile['units'],
    fileNamePatterns: patterns('fileNamePatterns'),
    metadataPatterns: patterns('metadataPatterns'),
  };
}

function canonical(token: string): string {
  return token.toLowerCase().replace(/[\s-]+/g, '_');
}

/** The profile band a word names (band name first, then common name, then alias), or undefined. */
export function findBand(profile: SensorProfile, word: string): SensorBand | undefined {
  const key = canonical(word);
  const bare = key.replace(/^b0?(\d)/, 'b$1');
  return (
    profile.bands.find((b) => canonical(b.name) === key || canonical(b.name).replace(/^b0?(\d)/, 'b$1') === bare) ??
    profile.bands.find((b) => b.common === key) ??
    profile.bands.find((b) => b.aliases.some((a) => canonical(a) === key))
  );
}

/** The band a description names: 'B02 blue', 'ETM+ 1 blue', 'red (b3)', 'SR_B4', 'nir'. */
export function bandFromDescription(profile: SensorProfile, description: string): SensorBand | undefined {
  const whole = findBand(profile, description.trim());
  if (whole) return whole;
  const tokens = description.split(/[\s,;:()[\]/]+/).filter(Boolean);
  for (const pass of ['name', 'common', 'alias'] as const) {
    for (const token of tokens) {
      const key = canonical(token);
      const bare = key.replace(/^b0?(\d)/, 'b$1');
      const hit =
        pass === 'name'
          ? profile.bands.find((b) => canonical(b.name) === key || canonical(b.name).replace(/^b0?(\d)/, 'b$1') === bare)
          : pass === 'common'
            ? profile.bands.find((b) => b.common === key)
            : profile.bands.find((b) => b.aliases.some((a) => canonical(a) === key));
      if (hit) return hit;
    }
  }
  return undefined;
}

/**
 * Which profile band each band of a file is: from the band descriptions when they name distinct
 * bands of the profile, else the profile layout with the file's band count; otherwise an error
 * naming the file, the expected and the found band count.
 */
export function identifyBands(profile: SensorProfile, info: Pick<RasterInfo, 'source' | 'bandCount' | 'bandDescriptions'>): SensorBand[] {
  const described = info.bandDescriptions.length === info.bandCount ? info.bandDescriptions.map((d) => (d ? bandFromDescription(profile, d) : undefined)) : [];
  if (described.length === info.bandCount && described.every((b) => b !== undefined)) {
    const unique = new Set(described.map((b) => b!.name));
    if (unique.size === described.length) return described as SensorBand[];
  }
  const layout = profile.layouts.find((l) => l.length === info.bandCount);
  if (layout) return layout.map((name) => profile.bands.find((b) => b.name === name)!);
  const expected = profile.layouts.map((l) => `${l.length} (${l.join(', ')})`).join(' or ');
  throw new AutocmError(`wrong band count for sensor ${profile.id}: expected ${expected} bands, found ${info.bandCount}`, info.source);
}

/** Everything detection looks at besides the file name: metadata values and band descriptions. */
function metadataText(info: Pick<RasterInfo, 'metadata' | 'bandDescriptions'>): string {
  return [...Object.values(info.metadata), ...info.bandDescriptions].join('\n');
}

function matchesAny(patterns: string[], text: string): boolean {
  return patterns.some((p) => new RegExp(p, 'i').test(text));
}

/**
 * The built-in profiles whose file-name or metadata patterns match, most specific first (file
 * name before metadata). Empty when nothing identifies the sensor.
 */
export function detectSensorCandidates(info: Pick<RasterInfo, 'source' | 'metadata' | 'bandDescriptions'>, extraNames: string[] = []): SensorProfile[] {
  const names = [basename(info.source.replace(/[?#].*$/, '')), ...extraNames].join('\n');
  const text = metadataText(info);
  const byName = builtinProfiles.filter((p) => matchesAny(p.fileNamePatterns, names));
  const byMetadata = builtinProfiles.filter((p) => !byName.includes(p) && matchesAny(p.metadataPatterns, text));
  return [...byName, ...byMetadata];
}

export interface SensorChoice {
  profile: SensorProfile;
  bands: SensorBand[];
  how: 'option' | 'detected';
}

/**
 * The sensor of a file and its bands: `--sensor` when given, else the first detected profile
 * whose band layout fits the file. Errors say which profiles exist, or what band count was expected.
 */
export function chooseSensor(
  info: Pick<RasterInfo, 'source' | 'metadata' | 'bandDescriptions' | 'bandCount'>,
  sensor: string | SensorProfile | undefined,
  extraNames: string[] = [],
): SensorChoice {
  if (sensor !== undefined) {
    const profile = typeof sensor === 'string' ? getSensorProfile(sensor) : sensor;
    return { profile, bands: identifyBands(profile, info), how: 'option' };
  }
  const candidates = detectSensorCandidates(info, extraNames);
  if (candidates.length === 0) {
    throw new AutocmError(
      `cannot tell the sensor from the file name or metadata: pass --sensor with one of ${listSensorIds().join(', ')}, or a JSON profile file`,
      info.source,
    );
  }
  // A profile with a layout of exactly this band count first (a 4-band PlanetScope file is
  // planetscope4, not a described subset of planetscope8), then any whose bands fit.
  const ordered = [...candidates.filter((p) => p.layouts.some((l) => l.length === info.bandCount)), ...candidates.filter((p) => !p.layouts.some((l) => l.length === info.bandCount))];
  let firstError: unknown;
  for (const profile of ordered) {
    try {
      return { profile, bands: identifyBands(profile, info), how: 'detected' };
    } catch (error) {
      firstError ??= error;
    }
  }
  throw firstError;
}
