/**
 * Acquisition dates: from GDAL metadata items (ACQUISITIONDATETIME, datetime, DATE_ACQUIRED...),
 * from product names (Planet, Sentinel-2, Landsat) and plain `img_YYYYMMDD*` names, and last from
 * the TIFF DateTime tag (often the processing time, hence last). Dates without a zone are UTC.
 */
export type DateSource = 'stac' | 'product-metadata' | 'tiff-tag' | 'file-name' | 'none';

function utc(year: number, month: number, day: number, hour = 0, minute = 0, second = 0): Date | null {
  const date = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  const valid =
    year >= 1970 && year <= 2100 && date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day && hour < 24 && minute < 60 && second < 61;
  return valid ? date : null;
}

function fromDayOfYear(year: number, day: number): Date | null {
  if (year < 1970 || year > 2100 || day < 1 || day > 366) return null;
  return new Date(Date.UTC(year, 0, day));
}

/** ISO-like text: 2017-02-16, 2017-02-16T10:21:01(.123)(Z|+hh:mm), 2017:02:16 10:21:01 (TIFF). */
export function parseDateText(text: string): Date | null {
  const trimmed = text.trim();
  const tiff = /^(\d{4}):(\d{2}):(\d{2})[ T](\d{2}):(\d{2}):(\d{2})$/.exec(trimmed);
  if (tiff) return utc(+tiff[1], +tiff[2], +tiff[3], +tiff[4], +tiff[5], +tiff[6]);
  const iso = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i.exec(trimmed);
  if (!iso) return null;
  const base = utc(+iso[1], +iso[2], +iso[3], +(iso[4] ?? 0), +(iso[5] ?? 0), +(iso[6] ?? 0));
  if (!base) return null;
  const millis = iso[7] ? Math.round(Number(iso[7]) * 1000) : 0;
  let zoneMinutes = 0;
  const zone = iso[8];
  if (zone && zone.toUpperCase() !== 'Z') {
    const m = /^([+-])(\d{2}):?(\d{2})$/.exec(zone)!;
    zoneMinutes = (m[1] === '-' ? -1 : 1) * (+m[2] * 60 + +m[3]);
  }
  return new Date(base.getTime() + millis - zoneMinutes * 60_000);
}

const acquisitionKeys = [/^ACQUISITIONDATETIME$/i, /^ACQUISITION_?DATE(TIME)?$/i, /^DATETIME$/i, /^DATE_ACQUIRED$/i, /^SENSING_TIME$/i, /^PRODUCT_START_TIME$/i, /^DATE$/i];

/** The acquisition date from GDAL metadata items, never from TIFFTAG_DATETIME. */
export function dateFromMetadata(metadata: Record<string, string>): Date | null {
  for (const pattern of acquisitionKeys) {
    for (const [key, value] of Object.entries(metadata)) {
      if (!pattern.test(key)) continue;
      const time = /^DATE_ACQUIRED$/i.test(key) ? Object.entries(metadata).find(([k]) => /^SCENE_CENTER_TIME$/i.test(k))?.[1] : undefined;
      const date = parseDateText(time ? `${value}T${time.replace(/"|Z$/g, '').slice(0, 8)}Z` : value);
      if (date) return date;
    }
  }
  return null;
}

const namePatterns: { pattern: RegExp; date: (m: RegExpExecArray) => Date | null }[] = [
  // Sentinel-2 product (S2A_MSIL1C_20170216T102101_...) and tile band files (T33UUU_20170216T102101_B02)
  { pattern: /(?:MSIL\w{2}_|(?<![0-9A-Za-z])T\d{2}[A-Z]{3}_)(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})/, date: (m) => utc(+m[1], +m[2], +m[3], +m[4], +m[5], +m[6]) },
  // Landsat Collection product: LC09_L1TP_PPPRRR_YYYYMMDD_yyyymmdd_CC_TX
  { pattern: /(?<![0-9A-Za-z])L[A-Z]0\d_L\w{3}_\d{6}_(\d{4})(\d{2})(\d{2})_/, date: (m) => utc(+m[1], +m[2], +m[3]) },
  // Landsat pre-collection scene id: LC80130312015295LGN00 (year + day of year)
  { pattern: /(?<![0-9A-Za-z])L[A-Z]\d\d{6}(\d{4})(\d{3})[A-Z]{3}\d{2}(?![0-9A-Za-z])/, date: (m) => fromDayOfYear(+m[1], +m[2]) },
  // PlanetScope scene id: 20170915_020728(_00)_103d
  { pattern: /(?:^|[^\d])(\d{4})(\d{2})(\d{2})_(\d{2})(\d{2})(\d{2})(?:_\d{2})?_[0-9a-f]{4}(?![0-9A-Za-z])/, date: (m) => utc(+m[1], +m[2], +m[3], +m[4], +m[5], +m[6]) },
  // PlanetScope ortho tile: 633841_1932520_2017-07-19_1004
  { pattern: /_(\d{4})-(\d{2})-(\d{2})_[0-9a-f]{4}(?![0-9A-Za-z])/, date: (m) => utc(+m[1], +m[2], +m[3]) },
  // Plain names: img_20170216.tif, img_20090609_LT5.tif, 20170216.tif, scene-2017-02-16.tif
  { pattern: /(?:^|[^\d])(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2}))?(?![\d])/, date: (m) => utc(+m[1], +m[2], +m[3], +(m[4] ?? 0), +(m[5] ?? 0), +(m[6] ?? 0)) },
  { pattern: /(?:^|[^\d])(\d{4})-(\d{2})-(\d{2})(?![\d])/, date: (m) => utc(+m[1], +m[2], +m[3]) },
];

/** Product-id patterns only (Sentinel-2, Landsat, Planet), safe to run on free-form metadata text. */
const productPatternCount = 5;

/** The acquisition date that a product or file name carries, or null. `productOnly` skips the plain YYYYMMDD rules. */
export function dateFromName(name: string, productOnly = false): Date | null {
  for (const { pattern, date } of productOnly ? namePatterns.slice(0, productPatternCount) : namePatterns) {
    const match = pattern.exec(name);
    if (match) {
      const found = date(match);
      if (found) return found;
    }
  }
  return null;
}

/**
 * The date of an image: acquisition metadata items, then product ids in metadata values (e.g. a
 * Planet item id with the time of day), then its file name(s), then the TIFF DateTime tag.
 */
export function imageDate(metadata: Record<string, string>, names: string[]): { date: Date | null; dateSource: DateSource } {
  const fromMetadata = dateFromMetadata(metadata);
  if (fromMetadata) return { date: fromMetadata, dateSource: 'tiff-tag' };
  for (const [key, value] of Object.entries(metadata)) {
    if (key === 'TIFFTAG_DATETIME' || key === 'TIFFTAG_SOFTWARE') continue;
    const date = dateFromName(value, true);
    if (date) return { date, dateSource: 'tiff-tag' };
  }
  for (const name of names) {
    const date = dateFromName(name);
    if (date) return { date, dateSource: 'file-name' };
  }
  const tiffTag = metadata.TIFFTAG_DATETIME ? parseDateText(metadata.TIFFTAG_DATETIME) : null;
  if (tiffTag) return { date: tiffTag, dateSource: 'tiff-tag' };
  return { date: null, dateSource: 'none' };
}
