/** The common class vocabulary every mask format is mapped to (also the plain mask format's values). */
export const CLEAR = 0;
export const CLOUD = 1;
export const SHADOW = 2;
export const NODATA = 255;

export type MaskClass = typeof CLEAR | typeof CLOUD | typeof SHADOW | typeof NODATA;

/**
 * One decoded window of a mask: `classes` in {0 clear, 1 cloud, 2 shadow, 255 nodata}, and for
 * probability formats also `probability` in [0, 1] (NaN where nodata).
 */
export interface DecodedMask {
  width: number;
  height: number;
  classes: Uint8Array;
  probability?: Float32Array;
}
