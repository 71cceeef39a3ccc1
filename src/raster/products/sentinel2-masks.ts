/**
 * Sentinel-2 L1C product masks as classes. MSK_CLASSI_B00.jp2 (baseline 04.00 on, 60 m): three
 * components, 1 where flagged: opaque clouds, cirrus clouds, snow and ice (PSD 14.9, section
 * 5.5). Returned in the product classes of landsat-qa-pixel.ts: 0 clear, 1 cloud, 3 snow.
 */
import { PRODUCT_CLASS } from './landsat-qa-pixel.js';

export function mskClassiClasses(opaque: ArrayLike<number>, cirrus: ArrayLike<number>, snow: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(opaque.length);
  for (let i = 0; i < out.length; i++) out[i] = opaque[i] || cirrus[i] ? PRODUCT_CLASS.cloud : snow[i] ? PRODUCT_CLASS.snow : PRODUCT_CLASS.clear;
  return out;
}
