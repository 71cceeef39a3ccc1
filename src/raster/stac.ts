/**
 * STAC Items / ItemCollections (local file or HTTP(S) URL) -> image references: per item, one
 * multi-band asset that holds the wanted bands, or one single-band asset per wanted band, picked
 * by `eo:bands` / `bands` names and common names, or by asset key.
 */
import { readFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { AutocmError } from '../util/errors.js';
import { parseDateText } from './dates.js';
import type { ImageRef } from './inputs.js';
import { stacItemProduct } from './products/stac-item-product.js';
import { readStacPages } from './products/stac-paging.js';
import { detectSensorCandidates, findBand, type SensorProfile } from './sensors.js';

interface StacBand {
  name?: string;
  common?: string;
}

interface StacAsset {
  key: string;
  href: string;
  bands: StacBand[];
}

export interface StacItem {
  id: string;
  datetime: Date | null;
  properties: Record<string, unknown>;
  assets: StacAsset[];
}

function isUrl(text: string): boolean {
  return /^https?:\/\//i.test(text);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads a STAC JSON document from a path or URL. */
export async function readStacJson(location: string): Promise<unknown> {
  let text: string;
  if (isUrl(location)) {
    let response: Response;
    try {
      response = await fetch(location);
    } catch (error) {
      const cause = (error as { cause?: unknown }).cause;
      throw new AutocmError(`cannot fetch STAC JSON: ${cause instanceof Error ? cause.message : (error as Error).message}`, location);
    }
    if (!response.ok) throw new AutocmError(`cannot fetch STAC JSON: HTTP ${response.status} ${response.statusText}`.trim(), location);
    text = await response.text();
  } else {
    try {
      text = await readFile(location, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new AutocmError(code === 'ENOENT' ? 'file not found' : `cannot read: ${(error as Error).message}`, location);
    }
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new AutocmError(`not valid JSON: ${(error as Error).message}`, location);
  }
}

/** Fetches a next page of a STAC API (GET, or POST with the link's JSON body). */
async function fetchStacPage(link: { href: string; method: 'GET' | 'POST'; body?: unknown; headers?: Record<string, string> }): Promise<unknown> {
  if (link.method === 'GET') return readStacJson(link.href);
  let response: Response;
  try {
    response = await fetch(link.href, { method: 'POST', headers: { 'content-type': 'application/json', ...link.headers }, body: JSON.stringify(link.body ?? {}) });
  } catch (error) {
    const cause = (error as { cause?: unknown }).cause;
    throw new AutocmError(`cannot fetch STAC page: ${cause instanceof Error ? cause.message : (error as Error).message}`, link.href);
  }
  if (!response.ok) throw new AutocmError(`cannot fetch STAC page: HTTP ${response.status} ${response.statusText}`.trim(), link.href);
  try {
    return JSON.parse(await response.text());
  } catch (error) {
    throw new AutocmError(`not valid JSON: ${(error as Error).message}`, link.href);
  }
}

function stacBands(asset: Record<string, unknown>): StacBand[] {
  const list = Array.isArray(asset['eo:bands']) ? asset['eo:bands'] : Array.isArray(asset.bands) ? asset.bands : [];
  return list.filter(isRecord).map((b) => ({
    name: typeof b.name === 'string' ? b.name : undefined,
    common: typeof b.common_name === 'string' ? b.common_name : typeof b['eo:common_name'] === 'string' ? (b['eo:common_name'] as string) : undefined,
  }));
}

function isImageAsset(asset: Record<string, unknown>, href: string): boolean {
  const type = typeof asset.type === 'string' ? asset.type : '';
  const roles = Array.isArray(asset.roles) ? asset.roles : [];
  if (roles.some((r) => r === 'thumbnail' || r === 'overview' || r === 'metadata')) return false;
  return /image\/tiff|geotiff/i.test(type) || /\.tiff?$/i.test(href.replace(/[?#].*$/, ''));
}

/** Parses an Item, an ItemCollection or a FeatureCollection; relative hrefs resolve against `location`. */
export function parseStac(value: unknown, location: string): StacItem[] {
  const features = isRecord(value) && value.type === 'FeatureCollection' && Array.isArray(value.features) ? value.features : isRecord(value) && value.type === 'Feature' ? [value] : null;
  if (!features) throw new AutocmError('not a STAC Item or ItemCollection (expected "type": "FeatureCollection" with "features", or "type": "Feature")', location);
  const base = isUrl(location) ? location : pathToFileURL(resolve(location)).href;
  return features.map((feature, index) => {
    if (!isRecord(feature) || !isRecord(feature.assets)) throw new AutocmError(`features[${index}] has no "assets"`, location);
    const id = typeof feature.id === 'string' ? feature.id : `item${index}`;
    const properties = isRecord(feature.properties) ? feature.properties : {};
    const text = typeof properties.datetime === 'string' ? properties.datetime : typeof properties.start_datetime === 'string' ? properties.start_datetime : null;
    const datetime = text ? parseDateText(text) : null;
    if (text && !datetime) throw new AutocmError(`item ${id} has an unreadable datetime "${text}"`, location);
    const assets: StacAsset[] = [];
    for (const [key, asset] of Object.entries(feature.assets)) {
      if (!isRecord(asset) || typeof asset.href !== 'string') continue;
      if (!isImageAsset(asset, asset.href)) continue;
      const absolute = new URL(asset.href, base).href;
      const href = absolute.startsWith('file:') ? fileURLToPath(absolute) : absolute;
      assets.push({ key, href, bands: stacBands(asset) });
    }
    return { id, datetime, properties, assets };
  });
}

function same(a: string | undefined, b: string): boolean {
  return a !== undefined && a.toLowerCase().replace(/[\s_-]/g, '') === b.toLowerCase().replace(/[\s_-]/g, '');
}

/** 'nir' also finds STAC's 'nir08' (Landsat OLI B5); 'swir1'/'swir16' and 'swir2'/'swir22' are the same band. */
const synonyms: Record<string, string[]> = { nir: ['nir08'], swir1: ['swir16'], swir16: ['swir1'], swir2: ['swir22'], swir22: ['swir2'] };

/** Every identifier of a wanted band: itself, its synonyms, and the profile band's name, common name and aliases. */
function identifiers(wanted: string, profile: SensorProfile | undefined): string[] {
  const band = profile ? findBand(profile, wanted) : undefined;
  const own = band ? [band.name, band.common, ...band.aliases] : [];
  return [wanted, ...(synonyms[wanted.toLowerCase()] ?? []), ...own];
}

function bandMatches(band: StacBand, wanted: string, profile?: SensorProfile): boolean {
  return identifiers(wanted, profile).some((w) => same(band.name, w) || same(band.common, w));
}

/**
 * The image files of one item for the wanted bands (names like 'B04' or common names like 'red').
 * A multi-band asset holding every wanted band wins; else one single-band asset per wanted band.
 */
export function selectAssets(item: StacItem, wanted: string[], location: string, sensor?: SensorProfile): ImageRef {
  const metadata: Record<string, string> = { STAC_ID: item.id };
  for (const key of ['platform', 'constellation', 'instruments', 'processing:level', 'processing:version', 's2:processing_baseline', 'landsat:correction']) {
    const value = item.properties[key];
    if (value !== undefined) metadata[key] = Array.isArray(value) ? value.join(',') : String(value);
  }
  // The item's own sensor (from its id and platform) names its bands when the user gave none.
  const profile = sensor ?? detectSensorCandidates({ source: item.id, metadata, bandDescriptions: [] }, item.assets.map((a) => basename(a.href)))[0];
  const multi = item.assets
    .filter((a) => a.bands.length >= 2 && wanted.every((w) => a.bands.some((b) => bandMatches(b, w, profile))))
    .sort((a, b) => a.bands.length - b.bands.length)[0];
  const product = stacItemProduct(item.id, item.properties, item.assets);
  if (multi) {
    return {
      id: item.id,
      files: [{ path: multi.href }],
      bandHints: multi.bands.map((b) => b.name ?? b.common ?? ''),
      date: item.datetime,
      fromStac: true,
      metadata,
      product,
    };
  }
  const files: ImageRef['files'] = [];
  const missing: string[] = [];
  for (const w of wanted) {
    const asset =
      item.assets.find((a) => a.bands.length === 1 && bandMatches(a.bands[0], w, profile)) ??
      item.assets.find((a) => a.bands.length <= 1 && bandMatches({ name: a.key }, w, profile));
    if (!asset) missing.push(w);
    else files.push({ path: asset.href, band: asset.bands[0]?.name ?? asset.bands[0]?.common ?? asset.key });
  }
  if (missing.length > 0) {
    const available = item.assets.map((a) => `${a.key}${a.bands.length ? ` [${a.bands.map((b) => b.name ?? b.common).join(', ')}]` : ''}`);
    throw new AutocmError(`STAC item ${item.id} has no image asset for band(s) ${missing.join(', ')} (image assets: ${available.join('; ') || 'none'})`, location);
  }
  return { id: item.id, files, date: item.datetime, fromStac: true, metadata, extraNames: files.map((f) => basename(f.path)), product };
}

/**
 * Every item of a STAC document as an image reference with the wanted bands; an API response is
 * followed through its `next` links (paging). A next link that loops stops the paging with a
 * warning on stderr, keeping the items read.
 */
export async function stacImageRefs(location: string, wanted: string[], sensor?: SensorProfile): Promise<ImageRef[]> {
  const paging = await readStacPages(location, readStacJson, fetchStacPage);
  if (paging.note) process.stderr.write(`warning: ${location}: ${paging.note}\n`);
  const items = paging.pages.flatMap((page) => parseStac(page.value, page.location));
  if (items.length === 0) throw new AutocmError('the STAC ItemCollection has no items', location);
  return items.map((item) => selectAssets(item, wanted, location, sensor));
}
