/**
 * Product metadata of a STAC Item: sun angles (`view:sun_azimuth`, `view:sun_elevation`), cloud
 * cover (`eo:cloud_cover`), processing baseline or collection, and the product-mask asset (scl,
 * qa_pixel, udm2) offered as the default mask.
 */
import { emptyProductMetadata, type ProductMask, type ProductMaskFormat, type ProductMetadata } from './product-metadata.js';

const maskAssets: [RegExp, ProductMaskFormat][] = [
  [/^scl$/i, 'scl'],
  [/^(qa_pixel|qa-pixel|qa)$/i, 'qa-pixel'],
  [/^udm2$/i, 'udm2'],
];

function number(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** The mask asset of an item (by asset key), as a path or URL, or null. */
export function stacMaskAsset(assets: { key: string; href: string }[]): ProductMask | null {
  for (const [pattern, format] of maskAssets) {
    const asset = assets.find((a) => pattern.test(a.key));
    if (asset) return { path: asset.href, format };
  }
  return null;
}

export function stacItemProduct(id: string, properties: Record<string, unknown>, assets: { key: string; href: string }[]): ProductMetadata {
  const platform = typeof properties.platform === 'string' ? properties.platform : null;
  const product = emptyProductMetadata(`STAC item ${id}${platform ? ` (${platform})` : ''}`);
  const elevation = number(properties['view:sun_elevation']);
  product.sunAzimuth = number(properties['view:sun_azimuth']);
  product.sunZenith = elevation === null ? null : 90 - elevation;
  product.cloudCover = number(properties['eo:cloud_cover']);
  const version = properties['s2:processing_baseline'] ?? properties['processing:version'] ?? properties['landsat:collection_number'];
  product.version = version === undefined ? null : String(version);
  product.mask = stacMaskAsset(assets);
  return product;
}
