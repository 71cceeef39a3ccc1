/**
 * Georeferencing of a JP2 file: the GeoJP2 box (a 1x1 GeoTIFF whose tags carry the transform and
 * GeoKeys, read with geotiff.js) first, else the GMLJP2 RectifiedGrid (origin at the centre of
 * the first pixel, offset vectors per column and row, EPSG from srsName).
 */
import { fromArrayBuffer, type GeoTIFFImage } from 'geotiff';
import { epsgOf, parseGeoKeys } from '../tiff-geokeys.js';
import { geoTransformFromTags } from '../tiff-tags.js';
import type { GeoTransform, Georeference } from '../types.js';

async function tagNumbers(image: GeoTIFFImage, name: string): Promise<number[] | undefined> {
  const value = (await image.fileDirectory.loadValue(name as never)) as unknown;
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number') return [value];
  return Array.from(value as ArrayLike<number | bigint>, Number);
}

async function fromGeoJp2(tiffBytes: Uint8Array): Promise<Georeference | null> {
  const buffer = tiffBytes.buffer.slice(tiffBytes.byteOffset, tiffBytes.byteOffset + tiffBytes.byteLength) as ArrayBuffer;
  const tiff = await fromArrayBuffer(buffer);
  const image = await tiff.getImage(0);
  const ascii = (await image.fileDirectory.loadValue('GeoAsciiParams' as never)) as unknown;
  const geoKeys = parseGeoKeys(await tagNumbers(image, 'GeoKeyDirectory'), await tagNumbers(image, 'GeoDoubleParams'), typeof ascii === 'string' ? ascii : undefined);
  const geoTransform = geoTransformFromTags(
    await tagNumbers(image, 'ModelPixelScale'),
    await tagNumbers(image, 'ModelTiepoint'),
    await tagNumbers(image, 'ModelTransformation'),
    geoKeys?.GTRasterTypeGeoKey === 2,
  );
  if (!geoTransform && !geoKeys) return null;
  return { geoTransform, epsg: epsgOf(geoKeys), geoKeys };
}

function numbersOf(text: string | undefined): number[] {
  return text ? text.trim().split(/\s+/).map(Number) : [];
}

/** GMLJP2 RectifiedGrid -> geotransform (GDAL's pixel-corner convention) and EPSG. */
export function georeferenceFromGml(gml: string): Georeference | null {
  const grid = /<gml:RectifiedGrid[\s\S]*?<\/gml:RectifiedGrid>/.exec(gml)?.[0];
  if (!grid) return null;
  const pos = numbersOf(/<gml:pos[^>]*>([^<]+)</.exec(grid)?.[1] ?? /<gml:coordinates[^>]*>([^<]+)</.exec(grid)?.[1]?.replace(',', ' '));
  const vectors = [...grid.matchAll(/<gml:offsetVector[^>]*>([^<]+)</g)].map((m) => numbersOf(m[1]));
  const srs = /srsName="([^"]+)"/.exec(grid)?.[1] ?? /srsName="([^"]+)"/.exec(gml)?.[1] ?? '';
  const epsgText = /EPSG(?::\d*)?:+(\d+)|EPSG\/0\/(\d+)|epsg:(\d+)/i.exec(srs);
  const epsg = epsgText ? Number(epsgText[1] ?? epsgText[2] ?? epsgText[3]) : null;
  if (pos.length < 2 || vectors.length < 2 || pos.some((v) => !Number.isFinite(v))) return null;
  const [col, row] = vectors;
  const gt: GeoTransform = [pos[0] - 0.5 * (col[0] + row[0]), col[0], row[0], pos[1] - 0.5 * (col[1] + row[1]), col[1], row[1]];
  return { geoTransform: gt, epsg, geoKeys: null };
}

export async function jp2Georeference(geoJp2: Uint8Array | null, gml: string | null): Promise<Georeference> {
  if (geoJp2) {
    try {
      const found = await fromGeoJp2(geoJp2);
      if (found) return found;
    } catch {
      // A damaged GeoJP2 box: fall back on the GML.
    }
  }
  return (gml ? georeferenceFromGml(gml) : null) ?? { geoTransform: null, epsg: null, geoKeys: null };
}
