/** Pure TIFF/GeoTIFF tag interpretation shared by the reader and the COG writer. */
import type { GeoTransform, SampleType } from './types.js';

/** TIFF Compression tag values -> the names RasterInfo.compression uses. */
export const compressionNames: Record<number, string> = {
  1: 'none',
  2: 'ccittrle',
  3: 'ccittfax3',
  4: 'ccittfax4',
  5: 'lzw',
  6: 'ojpeg',
  7: 'jpeg',
  8: 'deflate',
  32946: 'deflate',
  32773: 'packbits',
  34712: 'jpeg2000',
  34887: 'lerc',
  34925: 'lzma',
  50000: 'zstd',
  50001: 'webp',
  50002: 'jxl',
  52546: 'jxl',
};

/** Compression codes geotiff.js decodes (its compression/index.js registry, minus old-style JPEG). */
export const decodableCompressions = new Set([1, 5, 7, 8, 32946, 32773, 34887, 50000, 50001]);

export function compressionName(code: number): string {
  return compressionNames[code] ?? `unknown (${code})`;
}

/** SampleFormat (1 unsigned, 2 signed, 3 float) + BitsPerSample -> SampleType, or null when unsupported. */
export function sampleTypeOf(sampleFormat: number, bitsPerSample: number): SampleType | null {
  const key = `${sampleFormat}:${bitsPerSample}`;
  const types: Record<string, SampleType> = {
    '1:8': 'uint8',
    '2:8': 'int8',
    '1:16': 'uint16',
    '2:16': 'int16',
    '1:32': 'uint32',
    '2:32': 'int32',
    '3:32': 'float32',
    '3:64': 'float64',
  };
  return types[key] ?? null;
}

/** The inverse of sampleTypeOf: [SampleFormat, BitsPerSample]. */
export function sampleFormatOf(type: SampleType): [number, number] {
  const formats: Record<SampleType, [number, number]> = {
    uint8: [1, 8],
    int8: [2, 8],
    uint16: [1, 16],
    int16: [2, 16],
    uint32: [1, 32],
    int32: [2, 32],
    float32: [3, 32],
    float64: [3, 64],
  };
  return formats[type];
}

/**
 * GDAL's geotransform from the GeoTIFF model tags. Pixel-is-point rasters are shifted by half a
 * pixel to the pixel-is-area convention, as GDAL reports them by default.
 */
export function geoTransformFromTags(
  pixelScale: ArrayLike<number> | undefined,
  tiepoint: ArrayLike<number> | undefined,
  transformation: ArrayLike<number> | undefined,
  pixelIsPoint: boolean,
): GeoTransform | null {
  let gt: GeoTransform | null = null;
  if (transformation && transformation.length >= 16) {
    const m = transformation;
    gt = [m[3], m[0], m[1], m[7], m[4], m[5]];
  } else if (pixelScale && pixelScale.length >= 2 && tiepoint && tiepoint.length >= 6) {
    const [i, j, , x, y] = Array.from(tiepoint);
    const sx = pixelScale[0];
    const sy = pixelScale[1];
    gt = [x - i * sx, sx, 0, y + j * sy, 0, -sy];
  }
  if (gt && pixelIsPoint) {
    gt[0] -= gt[1] * 0.5 + gt[2] * 0.5;
    gt[3] -= gt[4] * 0.5 + gt[5] * 0.5;
  }
  return gt;
}

export interface GdalMetadata {
  /** Dataset-level items (no sample attribute). */
  dataset: Record<string, string>;
  /** Per-band items other than the description, by 0-based band. */
  bands: Record<string, string>[];
  /** Per-band DESCRIPTION (role="description"), by 0-based band; '' where absent. */
  descriptions: string[];
}

function unescapeXml(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&#(\d+);/g, (_, code: string) => String.fromCodePoint(Number(code)))
    .replace(/&#x([0-9a-fA-F]+);/g, (_, code: string) => String.fromCodePoint(parseInt(code, 16)))
    .replace(/&amp;/g, '&');
}

export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Parses the GDAL_METADATA tag (an XML list of <Item name=".." sample=".." role="..">value</Item>). */
export function parseGdalMetadata(xml: string | undefined, bandCount: number): GdalMetadata {
  const result: GdalMetadata = {
    dataset: {},
    bands: Array.from({ length: bandCount }, () => ({})),
    descriptions: new Array<string>(bandCount).fill(''),
  };
  if (!xml) return result;
  const itemPattern = /<Item\s([^>]*?)(?:\/>|>([\s\S]*?)<\/Item>)/g;
  for (const match of xml.matchAll(itemPattern)) {
    const attributes: Record<string, string> = {};
    for (const attribute of match[1].matchAll(/(\w+)\s*=\s*"([^"]*)"/g)) attributes[attribute[1]] = unescapeXml(attribute[2]);
    const name = attributes.name;
    if (!name) continue;
    const value = unescapeXml(match[2] ?? '');
    if (attributes.sample === undefined) {
      result.dataset[name] = value;
      continue;
    }
    const band = Number(attributes.sample);
    if (!Number.isInteger(band) || band < 0 || band >= bandCount) continue;
    if (attributes.role === 'description' || (name === 'DESCRIPTION' && !attributes.role)) result.descriptions[band] = value;
    else result.bands[band][name] = value;
  }
  return result;
}

/** Band items GDAL stores with a role attribute (its band scale/offset/unit properties). */
const bandItemRoles: Record<string, string> = { SCALE: 'scale', OFFSET: 'offset', UNITTYPE: 'unittype', COLORINTERP: 'colorinterp' };

/** Builds the GDAL_METADATA XML GDAL itself would write for these items. */
export function formatGdalMetadata(
  dataset: Record<string, string>,
  descriptions: string[],
  bandItems: Record<string, string>[] = [],
): string | null {
  const items: string[] = [];
  for (const [name, value] of Object.entries(dataset)) items.push(`  <Item name="${escapeXml(name)}">${escapeXml(value)}</Item>`);
  bandItems.forEach((bandMetadata, band) => {
    for (const [name, value] of Object.entries(bandMetadata)) {
      const role = bandItemRoles[name] ? ` role="${bandItemRoles[name]}"` : '';
      items.push(`  <Item name="${escapeXml(name)}" sample="${band}"${role}>${escapeXml(value)}</Item>`);
    }
  });
  descriptions.forEach((description, band) => {
    if (description) items.push(`  <Item name="DESCRIPTION" sample="${band}" role="description">${escapeXml(description)}</Item>`);
  });
  if (items.length === 0) return null;
  return `<GDALMetadata>\n${items.join('\n')}\n</GDALMetadata>\n`;
}

/** Parses GDAL_NODATA text ("0", "-9999", "nan", "inf") -> number, or null. */
export function parseNodata(text: string | undefined | null): number | null {
  if (text === undefined || text === null) return null;
  const trimmed = String(text).replace(/\0+$/, '').trim().toLowerCase();
  if (trimmed === '') return null;
  if (trimmed === 'nan') return Number.NaN;
  if (trimmed === 'inf' || trimmed === '+inf') return Number.POSITIVE_INFINITY;
  if (trimmed === '-inf') return Number.NEGATIVE_INFINITY;
  const value = Number(trimmed);
  return Number.isNaN(value) ? null : value;
}

/** The GDAL_NODATA text for a value, as GDAL writes it. */
export function formatNodata(value: number): string {
  if (Number.isNaN(value)) return 'nan';
  if (value === Number.POSITIVE_INFINITY) return 'inf';
  if (value === Number.NEGATIVE_INFINITY) return '-inf';
  return String(value);
}
