/** Georeference -> GeoTIFF tags (model transform + GeoKeys), the inverse of what openRaster reads. */
import { encodeGeoKeys, type GeoKeys } from './tiff-geokeys.js';
import { FieldType, type IfdEntry } from './tiff-ifd.js';
import type { Georeference } from './types.js';

/** GeoKeys for a bare EPSG code when the source had none to copy (EPSG 4000-4999 taken as geographic). */
function keysForEpsg(epsg: number): GeoKeys {
  const geographic = epsg >= 4000 && epsg < 5000;
  return geographic
    ? { GTModelTypeGeoKey: 2, GTRasterTypeGeoKey: 1, GeographicTypeGeoKey: epsg }
    : { GTModelTypeGeoKey: 1, GTRasterTypeGeoKey: 1, ProjectedCSTypeGeoKey: epsg };
}

/**
 * ModelPixelScale + ModelTiepoint for north-up grids, ModelTransformation otherwise, and the GeoKey
 * directory copied from the source. The geotransform is in GDAL's pixel-is-area convention; for a
 * pixel-is-point raster the tiepoint moves back half a pixel so GDAL reports the same transform.
 */
export function georeferenceTags(georeference: Georeference): IfdEntry[] {
  const entries: IfdEntry[] = [];
  const keys = georeference.geoKeys ?? (georeference.epsg !== null ? keysForEpsg(georeference.epsg) : null);
  const gt = georeference.geoTransform;
  if (gt) {
    const pixelIsPoint = keys?.GTRasterTypeGeoKey === 2;
    const x0 = pixelIsPoint ? gt[0] + gt[1] * 0.5 + gt[2] * 0.5 : gt[0];
    const y0 = pixelIsPoint ? gt[3] + gt[4] * 0.5 + gt[5] * 0.5 : gt[3];
    if (gt[2] === 0 && gt[4] === 0 && gt[5] < 0) {
      entries.push({ tag: 33550, type: FieldType.DOUBLE, values: [gt[1], -gt[5], 0] });
      entries.push({ tag: 33922, type: FieldType.DOUBLE, values: [0, 0, 0, x0, y0, 0] });
    } else {
      entries.push({
        tag: 34264,
        type: FieldType.DOUBLE,
        values: [gt[1], gt[2], 0, x0, gt[4], gt[5], 0, y0, 0, 0, 0, 0, 0, 0, 0, 1],
      });
    }
  }
  if (keys && Object.keys(keys).length > 0) {
    const encoded = encodeGeoKeys(keys);
    entries.push({ tag: 34735, type: FieldType.SHORT, values: encoded.directory });
    if (encoded.doubles.length > 0) entries.push({ tag: 34736, type: FieldType.DOUBLE, values: encoded.doubles });
    if (encoded.ascii.length > 0) entries.push({ tag: 34737, type: FieldType.ASCII, values: encoded.ascii });
  }
  return entries;
}
