/**
 * Landsat Collection 2 QA_PIXEL words (Data Format Control Book, Table 6-3) -> flags and classes.
 * Bits: 0 fill, 1 dilated cloud, 2 cirrus, 3 cloud, 4 cloud shadow, 5 snow, 6 clear, 7 water,
 * 8-9 cloud confidence, 10-11 shadow confidence, 12-13 snow/ice confidence, 14-15 cirrus confidence.
 */

export interface QaPixelFlags {
  fill: boolean;
  dilatedCloud: boolean;
  cirrus: boolean;
  cloud: boolean;
  shadow: boolean;
  snow: boolean;
  clear: boolean;
  water: boolean;
  /** 0 none, 1 low, 2 medium, 3 high. */
  cloudConfidence: number;
  shadowConfidence: number;
  snowConfidence: number;
  cirrusConfidence: number;
}

export function qaPixelFlags(word: number): QaPixelFlags {
  const bit = (n: number) => (word & (1 << n)) !== 0;
  return {
    fill: bit(0),
    dilatedCloud: bit(1),
    cirrus: bit(2),
    cloud: bit(3),
    shadow: bit(4),
    snow: bit(5),
    clear: bit(6),
    water: bit(7),
    cloudConfidence: (word >> 8) & 3,
    shadowConfidence: (word >> 10) & 3,
    snowConfidence: (word >> 12) & 3,
    cirrusConfidence: (word >> 14) & 3,
  };
}

/** Class codes of the product masks: autocm's 0 clear, 1 cloud, 2 shadow, 255 nodata, plus 3 snow. */
export const PRODUCT_CLASS = { clear: 0, cloud: 1, shadow: 2, snow: 3, nodata: 255 } as const;

/**
 * QA_PIXEL words -> classes: fill -> nodata; cloud, dilated cloud or cirrus -> cloud (USGS
 * recommends masking the dilation); shadow -> shadow; snow -> snow; anything else clear.
 */
export function qaPixelClasses(words: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(words.length);
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    out[i] = w & 1 ? PRODUCT_CLASS.nodata : w & 0b1110 ? PRODUCT_CLASS.cloud : w & 0b10000 ? PRODUCT_CLASS.shadow : w & 0b100000 ? PRODUCT_CLASS.snow : PRODUCT_CLASS.clear;
  }
  return out;
}
