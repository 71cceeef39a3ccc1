import type { RasterInfo } from '../raster/types.js';

/** The detector's bands in an image (nir, then swir1 and red when present), or null without NIR. */
export function shadowBandsOf(bandNames: string[]): { index: number; name: string }[] | null {
  const lower = bandNames.map((name) => name.toLowerCase());
  const nir = lower.indexOf('nir');
  if (nir < 0) return null;
  const bands = [{ index: nir, name: 'nir' }];
  for (const name of ['swir1', 'red']) {
    const index = lower.indexOf(name);
    if (index >= 0) bands.push({ index, name });
  }
  return bands;
}

/** Ground size of a pixel in metres: the geotransform's (degrees converted at the equator), else 30 m. */
export function scenePixelSize(info: Pick<RasterInfo, 'geoTransform'>): number {
  const size = info.geoTransform ? Math.abs(info.geoTransform[1]) : 0;
  if (!(size > 0)) return 30;
  return size < 0.1 ? size * 111_320 : size;
}

/**
 * Sun angles from an image's GDAL metadata items SUN_AZIMUTH and SUN_ELEVATION (degrees; written
 * by `autocm synth`, and by GDAL for some products), or undefined. Unusable values are returned
 * as they are, for the caller to warn about.
 */
export function sunFromMetadata(metadata: Record<string, string> | undefined): { azimuth: number; elevation: number } | undefined {
  const azimuth = metadata?.SUN_AZIMUTH;
  const elevation = metadata?.SUN_ELEVATION;
  if (azimuth === undefined || elevation === undefined) return undefined;
  return { azimuth: Number(azimuth), elevation: Number(elevation) };
}
