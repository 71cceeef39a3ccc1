import type { GeoKeys } from './tiff-geokeys.js';

/** GeoTIFF ProjCoordTransGeoKey codes (GeoTIFF 1.1, 7.5.3) of the projections seen in the wild. */
const transforms: Record<number, string> = {
  1: 'Transverse Mercator',
  7: 'Mercator',
  8: 'Lambert Conformal Conic (2SP)',
  9: 'Lambert Conformal Conic (1SP)',
  10: 'Lambert Azimuthal Equal Area',
  11: 'Albers Equal Area',
  14: 'Stereographic',
  15: 'Polar Stereographic',
  17: 'Equirectangular',
  20: 'Miller Cylindrical',
  21: 'Orthographic',
  24: 'Sinusoidal',
};

const parameters: [string, string][] = [
  ['ProjStdParallel1GeoKey', 'lat_1'],
  ['ProjStdParallel2GeoKey', 'lat_2'],
  ['ProjNatOriginLatGeoKey', 'lat_0'],
  ['ProjNatOriginLongGeoKey', 'lon_0'],
  ['ProjCenterLatGeoKey', 'lat_0'],
  ['ProjCenterLongGeoKey', 'lon_0'],
  ['ProjScaleAtNatOriginGeoKey', 'k'],
  ['ProjFalseEastingGeoKey', 'x_0'],
  ['ProjFalseNorthingGeoKey', 'y_0'],
];

const USER_DEFINED = 32767;

/**
 * The CRS in words: EPSG:xxxx, or for a user-defined one (GeoKeys with projection parameters,
 * e.g. the Albers grid of Brazil's data cubes) its projection, parameters and ellipsoid; null
 * without georeferencing keys.
 */
export function crsText(epsg: number | null, keys: GeoKeys | null): string | null {
  if (epsg !== null) return `EPSG:${epsg}`;
  if (!keys) return null;
  const projected = keys.ProjectedCSTypeGeoKey === USER_DEFINED || keys.ProjCoordTransGeoKey !== undefined;
  if (!projected) {
    if (keys.GeographicTypeGeoKey === undefined && keys.GeogSemiMajorAxisGeoKey === undefined) return null;
    return `user-defined geographic (${ellipsoid(keys)})`;
  }
  const code = Number(keys.ProjCoordTransGeoKey);
  const name = transforms[code] ?? `projection code ${Number.isFinite(code) ? code : 'unknown'}`;
  const seen = new Set<string>();
  const values = parameters
    .filter(([key, label]) => keys[key] !== undefined && !seen.has(label) && seen.add(label))
    .map(([key, label]) => `${label}=${keys[key]}`);
  return `user-defined ${name} (${[...values, ellipsoid(keys)].join(', ')})`;
}

function ellipsoid(keys: GeoKeys): string {
  const citation = typeof keys.GeogCitationGeoKey === 'string' ? /Ellipsoid = ([^|]+)/.exec(keys.GeogCitationGeoKey)?.[1]?.trim() : undefined;
  if (citation) return `ellipsoid ${citation}`;
  if (keys.GeogSemiMajorAxisGeoKey !== undefined) return `a=${keys.GeogSemiMajorAxisGeoKey}${keys.GeogInvFlatteningGeoKey !== undefined ? ` 1/f=${keys.GeogInvFlatteningGeoKey}` : ''}`;
  return 'ellipsoid unknown';
}
