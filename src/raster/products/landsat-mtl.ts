/**
 * Landsat Collection 2 MTL metadata in its three published encodings (Landsat 8-9 / 4-7 Collection
 * 2 Level-1 and Level-2 Data Format Control Books): ODL text (`GROUP = ... END_GROUP`), XML
 * (`<LANDSAT_METADATA_FILE>` with one element per group) and JSON (`{"LANDSAT_METADATA_FILE":
 * {group: {key: value}}}`). Values are kept per group, because a Level-2 MTL carries both the
 * Level-1 rescaling (LEVEL1_RADIOMETRIC_RESCALING) and the Level-2 one
 * (LEVEL2_SURFACE_REFLECTANCE_PARAMETERS) under the same key names. Unknown keys are ignored.
 */
import { AutocmError } from '../../util/errors.js';

export type MtlGroups = Map<string, Map<string, string>>;

export interface Coefficients {
  mult: number;
  add: number;
}

export interface LandsatMtl {
  file: string;
  productId: string | null;
  /** '02' for Collection 2. */
  collection: string | null;
  /** 'L1TP', 'L1GT', 'L2SP', 'L2SR'... */
  level: string | null;
  spacecraft: string | null;
  sensor: string | null;
  date: string | null;
  sunAzimuth: number | null;
  sunElevation: number | null;
  cloudCover: number | null;
  /** By band name ('B4'): Level-1 radiance and TOA reflectance rescaling. */
  radiance: Map<string, Coefficients>;
  toaReflectance: Map<string, Coefficients>;
  /** By band name ('B4'): Level-2 surface reflectance rescaling (SR_B4 files). */
  surfaceReflectance: Map<string, Coefficients>;
  /** Band name ('B4', 'SR_B4', 'ST_B10') -> file name, from FILE_NAME_BAND_n. */
  bandFiles: Map<string, string>;
  /** FILE_NAME_QUALITY_L1_PIXEL (QA_PIXEL), or null. */
  qaPixelFile: string | null;
}

function parseOdl(text: string): MtlGroups {
  const groups: MtlGroups = new Map();
  const stack: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    const match = /^\s*([A-Za-z0-9_]+)\s*=\s*(.*?)\s*$/.exec(line);
    if (!match) continue;
    const [, key, raw] = match;
    const value = raw.replace(/^"(.*)"$/, '$1');
    if (key === 'GROUP') stack.push(value);
    else if (key === 'END_GROUP') stack.pop();
    else {
      const group = stack[stack.length - 1] ?? '';
      if (!groups.has(group)) groups.set(group, new Map());
      groups.get(group)!.set(key.toUpperCase(), value);
    }
  }
  return groups;
}

function parseXml(text: string): MtlGroups {
  const groups: MtlGroups = new Map();
  const body = /<LANDSAT_METADATA_FILE[^>]*>([\s\S]*)<\/LANDSAT_METADATA_FILE>/.exec(text)?.[1];
  if (body === undefined) throw new Error('no <LANDSAT_METADATA_FILE> element');
  for (const group of body.matchAll(/<([A-Z0-9_]+)(?:\s[^>]*)?>([\s\S]*?)<\/\1>/g)) {
    const values = new Map<string, string>();
    for (const leaf of group[2].matchAll(/<([A-Za-z0-9_]+)(?:\s[^>]*)?>([^<]*)<\/\1>/g)) values.set(leaf[1].toUpperCase(), leaf[2].trim());
    groups.set(group[1], values);
  }
  return groups;
}

function parseJson(text: string): MtlGroups {
  const value = JSON.parse(text) as Record<string, unknown>;
  const root = (value.LANDSAT_METADATA_FILE ?? value) as Record<string, unknown>;
  const groups: MtlGroups = new Map();
  for (const [name, group] of Object.entries(root)) {
    if (!group || typeof group !== 'object' || Array.isArray(group)) continue;
    const values = new Map<string, string>();
    for (const [key, inner] of Object.entries(group as Record<string, unknown>)) {
      if (inner === null || typeof inner !== 'object') values.set(key.toUpperCase(), String(inner));
    }
    groups.set(name, values);
  }
  return groups;
}

/** Parses the groups of an MTL text, choosing the encoding by its first character. */
export function parseMtlGroups(text: string, file: string): MtlGroups {
  const start = text.trimStart();
  try {
    if (start.startsWith('{')) return parseJson(text);
    if (start.startsWith('<')) return parseXml(text);
    return parseOdl(text);
  } catch (error) {
    throw new AutocmError(`unreadable MTL metadata: ${(error as Error).message}`, file);
  }
}

function num(text: string | undefined): number | null {
  if (text === undefined || text.trim() === '') return null;
  const n = Number(text);
  return Number.isFinite(n) ? n : null;
}

function coefficients(group: Map<string, string> | undefined, kind: 'RADIANCE' | 'REFLECTANCE'): Map<string, Coefficients> {
  const out = new Map<string, Coefficients>();
  if (!group) return out;
  for (const [key, value] of group) {
    const match = new RegExp(`^${kind}_MULT_BAND_(\\w+)$`).exec(key);
    if (!match) continue;
    const mult = num(value);
    const add = num(group.get(`${kind}_ADD_BAND_${match[1]}`));
    if (mult !== null && add !== null) out.set(`B${match[1].replace(/^ST_B|^SR_B/, '')}`, { mult, add });
  }
  return out;
}

/** The fields autocm uses from an MTL (txt, xml or json). */
export function parseLandsatMtl(text: string, file: string): LandsatMtl {
  const groups = parseMtlGroups(text, file);
  const get = (group: string, key: string): string | undefined => groups.get(group)?.get(key);
  const contents = groups.get('PRODUCT_CONTENTS') ?? new Map<string, string>();
  const image = 'IMAGE_ATTRIBUTES';
  const bandFiles = new Map<string, string>();
  for (const [key, value] of contents) {
    const match = /^FILE_NAME_BAND_(?:(ST|SR)_B)?(\w+)$/.exec(key);
    if (!match) continue;
    const fromName = /_((?:SR_|ST_)?B\d{1,2})\.TIF$/i.exec(value)?.[1]?.toUpperCase();
    bandFiles.set(fromName ?? `B${match[2]}`, value);
  }
  return {
    file,
    productId: contents.get('LANDSAT_PRODUCT_ID') ?? null,
    collection: contents.get('COLLECTION_NUMBER') ?? null,
    level: contents.get('PROCESSING_LEVEL') ?? null,
    spacecraft: get(image, 'SPACECRAFT_ID') ?? null,
    sensor: get(image, 'SENSOR_ID') ?? null,
    date: get(image, 'DATE_ACQUIRED') ? `${get(image, 'DATE_ACQUIRED')}T${get(image, 'SCENE_CENTER_TIME') ?? '00:00:00Z'}` : null,
    sunAzimuth: num(get(image, 'SUN_AZIMUTH')),
    sunElevation: num(get(image, 'SUN_ELEVATION')),
    cloudCover: num(get(image, 'CLOUD_COVER')),
    radiance: coefficients(groups.get('LEVEL1_RADIOMETRIC_RESCALING'), 'RADIANCE'),
    toaReflectance: coefficients(groups.get('LEVEL1_RADIOMETRIC_RESCALING'), 'REFLECTANCE'),
    surfaceReflectance: coefficients(groups.get('LEVEL2_SURFACE_REFLECTANCE_PARAMETERS'), 'REFLECTANCE'),
    bandFiles,
    qaPixelFile: contents.get('FILE_NAME_QUALITY_L1_PIXEL') ?? null,
  };
}
