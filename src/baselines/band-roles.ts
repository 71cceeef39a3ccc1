import { AutocmError } from '../util/errors.js';

/** Index of the first band whose common name is one of `names`, or -1. */
export function bandIndex(bandNames: string[], ...names: string[]): number {
  const lower = bandNames.map((n) => n.toLowerCase());
  return lower.findIndex((n) => names.includes(n));
}

/** Blue, green and red where present; all bands when the image has no visible band (documented fallback). */
export function visibleBands(bandNames: string[]): number[] {
  const visible = ['blue', 'green', 'red'].map((n) => bandIndex(bandNames, n)).filter((i) => i >= 0);
  return visible.length > 0 ? visible : bandNames.map((_, i) => i);
}

/** The single band that reacts most to cloud: blue, else green, else red, else the first band. */
export function cloudSensitiveBand(bandNames: string[]): number {
  for (const n of ['blue', 'green', 'red']) {
    const i = bandIndex(bandNames, n);
    if (i >= 0) return i;
  }
  return 0;
}

export function requireBand(bandNames: string[], name: string, baseline: string, file: string): number {
  const i = bandIndex(bandNames, name);
  if (i < 0) throw new AutocmError(`the ${baseline} baseline needs a ${name} band; the image has ${bandNames.join(', ') || 'no named bands'}`, file);
  return i;
}

/** Mean of the given bands per pixel; NaN where any of them is NaN (nodata). */
export function meanOfBands(bands: Float32Array[], indices: number[]): Float32Array {
  const n = bands[0]!.length;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (const b of indices) s += bands[b]![i]!;
    out[i] = s / indices.length;
  }
  return out;
}

/** NaN when any band is NaN at that pixel. */
export function validPixel(bands: Float32Array[], i: number): boolean {
  for (const b of bands) if (Number.isNaN(b[i]!)) return false;
  return true;
}

export const clamp01 = (v: number) => (v < 0 ? 0 : v > 1 ? 1 : v);
