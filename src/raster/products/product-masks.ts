/**
 * The default masks of product folders for `evaluate` (and later `compare`): a Sentinel-2 L2A
 * SAFE gives its SCL, a Landsat Collection 2 folder its QA_PIXEL, a PlanetScope order its UDM2.
 * Sentinel-2 L1C gives MSK_CLASSI (baseline 04.00 on) or, before, its MSK_CLOUDS GML polygons
 * (rasterised on the 60 m grid by openRaster: a plain 0/1 mask).
 */
import { AutocmError } from '../../util/errors.js';
import { parseStac, readStacJson } from '../stac.js';
import { productFolderRefs } from './product-folders.js';
import type { ProductMaskFormat } from './product-metadata.js';
import { stacMaskAsset } from './stac-item-product.js';
import { readStacPages } from './stac-paging.js';

/** Mask formats that evaluate reads (its own format names). */
const scorable: ProductMaskFormat[] = ['scl', 'qa-pixel', 'udm2', 'msk-classi', 'msk-clouds-gml'];

/** The mask files of a product folder, one per image, or null when the folder is not a product. */
export async function productMaskFiles(folder: string): Promise<string[] | null> {
  const refs = await productFolderRefs(folder);
  if (!refs) return null;
  return refs.map((ref) => {
    const mask = ref.product?.mask;
    if (!mask) throw new AutocmError(`${ref.product?.product ?? 'the product'} ${ref.id} has no product mask (SCL, QA_PIXEL or UDM2) to use as the default mask`, folder);
    if (!scorable.includes(mask.format)) {
      throw new AutocmError(`the product mask ${mask.format.toUpperCase()} of ${ref.id} cannot be scored yet (only ${scorable.join(', ')}): give a mask file instead`, mask.path);
    }
    return mask.path;
  });
}

/** Whether a path or URL names STAC (an ItemCollection JSON, or an API search / items URL). */
export function isStacLocation(location: string): boolean {
  const bare = location.replace(/[?#].*$/, '');
  return /\.json$/i.test(bare) || (/^https?:\/\//i.test(location) && /\/(search|items)\/?$/.test(bare));
}

/** The mask asset (scl, qa_pixel, udm2) of every item of a STAC document, all pages followed. */
export async function stacMaskFiles(location: string): Promise<string[]> {
  const paging = await readStacPages(location, readStacJson, async (link) => readStacJson(link.href));
  if (paging.note) process.stderr.write(`warning: ${location}: ${paging.note}\n`);
  const items = paging.pages.flatMap((page) => parseStac(page.value, page.location));
  return items.map((item) => {
    const mask = stacMaskAsset(item.assets);
    if (!mask) throw new AutocmError(`STAC item ${item.id} has no scl, qa_pixel or udm2 asset to use as the default mask`, location);
    return mask.path;
  });
}
