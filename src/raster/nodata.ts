import type { TypedArray } from './types.js';

/**
 * 1 where a pixel is nodata, by predict's rule (normaliseTile): every band equals the nodata value,
 * or any band is NaN or infinite. A single band at the nodata value is a real measurement.
 */
export function nodataMask(bands: TypedArray[], nodataValue: number | null, length: number): Uint8Array {
  const mask = new Uint8Array(length);
  if (nodataValue !== null && !Number.isNaN(nodataValue) && bands.length > 0) {
    mask.fill(1);
    for (const band of bands) for (let i = 0; i < length; i++) if (band[i] !== nodataValue) mask[i] = 0;
  }
  for (const band of bands)
    for (let i = 0; i < length; i++) {
      const v = band[i]!;
      // v - v is 0 for every finite number and NaN for NaN and +-Infinity.
      if (v - v !== 0) mask[i] = 1;
    }
  return mask;
}
