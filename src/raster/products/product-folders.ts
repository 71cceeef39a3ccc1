/**
 * A folder that is a product (Sentinel-2 SAFE / granule / IMG_DATA, Landsat Collection 2,
 * PlanetScope order), or a Landsat .tar -> image references with their product metadata; null for
 * a plain folder.
 */
import { parseDateText } from '../dates.js';
import type { ImageRef } from '../inputs.js';
import { landsatImages, landsatTarImages } from './landsat-folder.js';
import { planetImages } from './planet-order.js';
import type { ProductImage } from './product-metadata.js';
import { sentinel2Images } from './sentinel2-safe.js';

const readers: ((folder: string) => ProductImage[] | null)[] = [sentinel2Images, landsatImages, planetImages];

function toRef(image: ProductImage): ImageRef {
  const date = image.date ? parseDateText(image.date) : null;
  return {
    id: image.id,
    files: image.files.map((f) => (f.band ? { path: f.path, band: f.band } : { path: f.path })),
    metadata: { ...image.product.metadata },
    product: image.product,
    date,
    fromProduct: date !== null,
  };
}

export async function productFolderRefs(folder: string): Promise<ImageRef[] | null> {
  for (const read of readers) {
    const images = read(folder);
    if (images) return images.map(toRef);
  }
  return null;
}

/** A product archive (a Landsat .tar) -> image references read in place, or null when it holds no product. */
export function productArchiveRefs(archive: string): ImageRef[] | null {
  return landsatTarImages(archive)?.map(toRef) ?? null;
}
