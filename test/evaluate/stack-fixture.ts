import { readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { ReflectanceStack } from '../../src/raster/reflectance-stack.js';
import { dateKeyOfName } from '../../src/masks/file-keys.js';
import { openRaster } from '../../src/raster/open.js';

/** The img_*.tif files of a folder, sorted (their names sort by date). */
export function imageFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((n) => n.startsWith('img_') && n.endsWith('.tif'))
    .sort()
    .map((n) => join(dir, n));
}

/** A stack of co-registered files on one grid, with the band names given (dates from the names). */
export async function stackOfFiles(files: string[], bandNames: string[]): Promise<ReflectanceStack> {
  const first = await openRaster(files[0]!);
  const { width, height, geoTransform, epsg, geoKeys } = first.info;
  await first.close();
  return {
    images: files.map((source) => {
      const key = dateKeyOfName(source);
      return {
        id: basename(source).replace(/\.tif$/, ''),
        source,
        date: key ? new Date(Date.UTC(+key.slice(0, 4), +key.slice(4, 6) - 1, +key.slice(6, 8))) : null,
        offset: { x: 0, y: 0 },
        bandNames,
        open: () => openRaster(source),
      };
    }),
    width,
    height,
    georeference: { geoTransform, epsg, geoKeys },
    bandNames,
  };
}
