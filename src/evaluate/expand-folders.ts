import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { isStacLocation, productMaskFiles, stacMaskFiles } from '../raster/products/product-masks.js';
import { isUrl } from '../raster/open.js';
import { AutocmError } from '../util/errors.js';

/**
 * Folders become their GeoTIFFs in name order; a folder of autocm outputs gives its
 * *_cloudmask.tif files (the masks as delivered), not the probabilities beside them. A product
 * folder (Sentinel-2 SAFE, Landsat C2, PlanetScope order) gives its product masks, and STAC
 * (ItemCollection or API search, paged) the scl / qa_pixel / udm2 asset of each item.
 */
export async function expandFolders(paths: string[]): Promise<string[]> {
  const expanded: string[] = [];
  for (const path of paths) {
    const found = await stat(path).catch(() => null);
    if (!found?.isDirectory()) {
      if (isStacLocation(path)) expanded.push(...(await stacMaskFiles(path)));
      else if (found || isUrl(path)) expanded.push(path);
      else throw new AutocmError('file or folder not found', path);
      continue;
    }
    const productMasks = await productMaskFiles(path);
    if (productMasks) {
      expanded.push(...productMasks);
      continue;
    }
    const tiffs = (await readdir(path)).filter((name) => /\.tiff?$/i.test(name)).sort();
    const masks = tiffs.filter((name) => /_cloudmask\.tiff?$/i.test(name));
    const chosen = masks.length > 0 ? masks : tiffs;
    if (chosen.length === 0) throw new AutocmError('the folder holds no GeoTIFF', path);
    expanded.push(...chosen.map((name) => join(path, name)));
  }
  return expanded;
}
