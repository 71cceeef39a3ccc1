/** GeoKeyDirectory <-> named GeoKeys, in both directions, so a CRS survives a read/write round trip. */
import { globals } from 'geotiff';

export type GeoKeys = Record<string, number | string | number[]>;

const GEO_DOUBLE_PARAMS_TAG = 34736;
const GEO_ASCII_PARAMS_TAG = 34737;

const nameOfKey = globals.geoKeyNames as Record<number, string>;
const keyOfName = globals.geoKeys as Record<string, number>;

/** Key name for an id; keys the library does not know keep their number ("GeoKey_5000"). */
function keyName(id: number): string {
  return nameOfKey[id] ?? `GeoKey_${id}`;
}

function keyId(name: string): number | null {
  if (keyOfName[name] !== undefined) return keyOfName[name];
  const match = /^GeoKey_(\d+)$/.exec(name);
  return match ? Number(match[1]) : null;
}

/**
 * GeoKeys whose values the GeoTIFF specification stores as doubles (GeoDoubleParams); every other
 * numeric key is a SHORT. Needed because a double such as a false easting of 500000 looks like an integer.
 */
const doubleKeys = new Set([2053, 2055, 2057, 2058, 2059, 2061, 2062, ...Array.from({ length: 20 }, (_, i) => 3077 + i)]);

/** Parses the raw GeoKeyDirectory (SHORTs) with its GeoDoubleParams and GeoAsciiParams. */
export function parseGeoKeys(
  directory: ArrayLike<number> | undefined,
  doubles: ArrayLike<number> | undefined,
  ascii: string | undefined,
): GeoKeys | null {
  if (!directory || directory.length < 4) return null;
  const keys: GeoKeys = {};
  const count = directory[3];
  for (let k = 0; k < count; k++) {
    const base = 4 + k * 4;
    if (base + 3 >= directory.length) break;
    const id = directory[base];
    const location = directory[base + 1];
    const valueCount = directory[base + 2];
    const valueOffset = directory[base + 3];
    if (location === 0) {
      keys[keyName(id)] = valueOffset;
    } else if (location === GEO_DOUBLE_PARAMS_TAG && doubles) {
      const values = Array.from(doubles).slice(valueOffset, valueOffset + valueCount);
      keys[keyName(id)] = valueCount === 1 ? values[0] : values;
    } else if (location === GEO_ASCII_PARAMS_TAG && ascii !== undefined) {
      // Each ASCII value ends with '|' in GeoAsciiParams; the count includes it.
      keys[keyName(id)] = ascii.substring(valueOffset, valueOffset + valueCount).replace(/[|\0]+$/, '');
    } else if (location === 34735) {
      const values = Array.from(directory).slice(valueOffset, valueOffset + valueCount);
      keys[keyName(id)] = valueCount === 1 ? values[0] : values;
    }
  }
  return keys;
}

export interface EncodedGeoKeys {
  directory: number[];
  doubles: number[];
  ascii: string;
}

/** Encodes named GeoKeys back into GeoKeyDirectory / GeoDoubleParams / GeoAsciiParams (keys sorted by id). */
export function encodeGeoKeys(keys: GeoKeys): EncodedGeoKeys {
  const entries: [number, number | string | number[]][] = [];
  for (const [name, value] of Object.entries(keys)) {
    const id = keyId(name);
    if (id !== null) entries.push([id, value]);
  }
  entries.sort((a, b) => a[0] - b[0]);
  const directory = [1, 1, 0, entries.length];
  const doubles: number[] = [];
  let ascii = '';
  for (const [id, value] of entries) {
    if (typeof value === 'string') {
      directory.push(id, GEO_ASCII_PARAMS_TAG, value.length + 1, ascii.length);
      ascii += `${value}|`;
    } else if (Array.isArray(value) || doubleKeys.has(id)) {
      const values = Array.isArray(value) ? value : [value];
      directory.push(id, GEO_DOUBLE_PARAMS_TAG, values.length, doubles.length);
      doubles.push(...values);
    } else {
      directory.push(id, 0, 1, value & 0xffff);
    }
  }
  return { directory, doubles, ascii };
}

/** The EPSG code the keys name (projected first, then geographic); user-defined (32767) is not a code. */
export function epsgOf(keys: GeoKeys | null): number | null {
  if (!keys) return null;
  for (const name of ['ProjectedCSTypeGeoKey', 'GeographicTypeGeoKey']) {
    const value = keys[name];
    if (typeof value === 'number' && value > 0 && value !== 32767) return value;
  }
  return null;
}
