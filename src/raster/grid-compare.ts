import type { GeoTransform, RasterInfo } from './types.js';

/** What two rasters need in common to be compared pixel for pixel. */
export type Grid = Pick<RasterInfo, 'width' | 'height' | 'geoTransform' | 'epsg' | 'source'>;

export function describeGrid(g: Grid): string {
  const gt = g.geoTransform ? ` origin (${g.geoTransform[0]}, ${g.geoTransform[3]}) pixel ${g.geoTransform[1]} x ${g.geoTransform[5]}` : ' (no georeferencing)';
  return `${g.source}: ${g.width} x ${g.height}${gt}${g.epsg ? ` EPSG:${g.epsg}` : ''}`;
}

function sameTransform(a: GeoTransform, b: GeoTransform): boolean {
  const pixel = Math.max(Math.abs(a[1]), Math.abs(a[5]), 1e-12);
  // Origins may differ by rounding (a hundredth of a pixel); scale and rotation must match.
  return a.every((v, i) => Math.abs(v - b[i]!) <= (i === 0 || i === 3 ? 0.01 : 1e-6) * pixel);
}

/** True when two rasters share pixel grids (size, and geotransform where both have one). */
export function sameGrid(a: Grid, b: Grid): boolean {
  if (a.width !== b.width || a.height !== b.height) return false;
  if (a.geoTransform && b.geoTransform) return sameTransform(a.geoTransform, b.geoTransform);
  return true;
}
