/**
 * What a product reader tells the rest of autocm about one image beyond its pixels: which product
 * it is, its processing baseline or collection, the sun angles, how DN become reflectance, and the
 * product's own cloud mask (the default mask of `evaluate`), as plain values.
 */

/** Formats of product masks, named as evaluate's mask formats where they exist. */
export type ProductMaskFormat = 'scl' | 'qa-pixel' | 'udm2' | 'msk-classi' | 'msk-clouds-gml';

export interface ProductMask {
  path: string;
  format: ProductMaskFormat;
}

/** A grid of angles: node (row, col) lies rowStep / colStep map units from the upper-left corner. */
export interface AngleGridValues {
  colStep: number;
  rowStep: number;
  values: number[][];
}

export interface ProductMetadata {
  /** e.g. 'Sentinel-2 L1C (SAFE)', 'Landsat 9 OLI/TIRS C2 L2SP', 'PlanetScope AnalyticMS_SR'. */
  product: string;
  /** Processing baseline ('04.00'), collection ('02'), or null. */
  version: string | null;
  /** Degrees; null when the metadata has none. */
  sunZenith: number | null;
  sunAzimuth: number | null;
  /** Sun angle grids where the product has them (Sentinel-2: 5 km nodes over the tile), degrees. */
  sunGrids?: { zenith: AngleGridValues; azimuth: AngleGridValues; /** Map coordinates of node (0, 0): the tile's upper-left corner. */ originX: number; originY: number } | null;
  /** Scene cloud cover in percent as the provider reports it, or null. */
  cloudCover: number | null;
  /** Metadata items for scaling and sensor detection (PROCESSING_BASELINE, ...): merged into the image's metadata. */
  metadata: Record<string, string>;
  /** Per-band scaling found in the metadata: reflectance = DN * scale + offset, by band name. */
  bandScaling: Record<string, { scale: number; offset: number }>;
  /** How the scaling was derived (for info). */
  scalingNote: string | null;
  /** The product's own mask, or null. */
  mask: ProductMask | null;
  /** The metadata file(s) read. */
  files: string[];
}

/** One image of a product folder: its band files (band name each), metadata and date text. */
export interface ProductImage {
  id: string;
  files: { path: string; band: string }[];
  product: ProductMetadata;
  date: string | null;
}

export function emptyProductMetadata(product: string): ProductMetadata {
  return { product, version: null, sunZenith: null, sunAzimuth: null, cloudCover: null, metadata: {}, bandScaling: {}, scalingNote: null, mask: null, files: [] };
}

/** The text of the first element named `name` (namespace prefixes ignored), or undefined. */
export function xmlText(xml: string, name: string): string | undefined {
  const match = new RegExp(`<(?:[\\w-]+:)?${name}(?:\\s[^>]*)?>([^<]*)</(?:[\\w-]+:)?${name}>`).exec(xml);
  return match ? decodeEntities(match[1].trim()) : undefined;
}

/** Every element named `name` with its attributes and text (leaf elements only). */
export function xmlLeaves(xml: string, name: string): { attributes: Record<string, string>; text: string }[] {
  const out: { attributes: Record<string, string>; text: string }[] = [];
  const pattern = new RegExp(`<(?:[\\w-]+:)?${name}(\\s[^>]*)?>([^<]*)</(?:[\\w-]+:)?${name}>`, 'g');
  for (const match of xml.matchAll(pattern)) {
    const attributes: Record<string, string> = {};
    for (const a of (match[1] ?? '').matchAll(/([\w:-]+)="([^"]*)"/g)) attributes[a[1]] = a[2];
    out.push({ attributes, text: decodeEntities(match[2].trim()) });
  }
  return out;
}

/** The inner XML of the first element named `name`, or undefined. */
export function xmlBlock(xml: string, name: string): string | undefined {
  const match = new RegExp(`<(?:[\\w-]+:)?${name}(?:\\s[^>]*)?>([\\s\\S]*?)</(?:[\\w-]+:)?${name}>`).exec(xml);
  return match?.[1];
}

function decodeEntities(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');
}

export function finiteOrNull(text: string | undefined): number | null {
  if (text === undefined || text.trim() === '') return null;
  const n = Number(text);
  return Number.isFinite(n) ? n : null;
}
