import { openRaster } from '../../raster/open.js';
import { PictureSampler } from '../picture-sampler.js';

/**
 * Picks display bands from band names: true colour when red, green and blue exist, else
 * false colour SWIR1/NIR/red, else the first three bands (or one band as grey).
 */
export function rgbBandIndices(bandNames: string[], bandCount: number): number[] {
  const names = bandNames.map((n) => n.toLowerCase());
  const find = (...candidates: string[]) => names.findIndex((n) => candidates.includes(n));
  const trueColour = [find('red', 'b04', 'b4'), find('green', 'b03', 'b3'), find('blue', 'b02', 'b2')];
  if (trueColour.every((i) => i >= 0)) return trueColour;
  const falseColour = [find('swir1', 'swir16', 'b11'), find('nir', 'b08', 'nir08'), find('red', 'b04')];
  if (falseColour.every((i) => i >= 0)) return falseColour;
  return bandCount >= 3 ? [0, 1, 2] : [0, 0, 0];
}

/** The 2 % and 98 % quantiles of the finite values. */
function stretchBounds(values: Float32Array): [number, number] {
  const finite = values.filter((v) => Number.isFinite(v)).sort();
  if (finite.length === 0) return [0, 1];
  const at = (q: number) => finite[Math.min(finite.length - 1, Math.floor(q * (finite.length - 1)))]!;
  const lo = at(0.02);
  const hi = at(0.98);
  return hi > lo ? [lo, hi] : [lo, lo + 1];
}

/**
 * An RGBA quicklook of an image decimated by `step` (as the report's other pictures), read
 * strip by strip, the three channels stretched together between the 2 % and 98 % quantiles
 * of their values (one stretch keeps the colours); nodata transparent.
 */
export async function readQuicklook(path: string, step: number, bandNames: string[] = [], stripRows = 512): Promise<{ width: number; height: number; rgba: Uint8Array }> {
  const source = await openRaster(path);
  try {
    const { width, height, nodata, bandCount, bandDescriptions } = source.info;
    const bands = rgbBandIndices(bandNames.length ? bandNames : bandDescriptions, bandCount);
    const samplers = bands.map(() => new PictureSampler(width, height, step, (n) => new Float32Array(n)));
    for (let y = 0; y < height; y += stripRows) {
      const rows = Math.min(stripRows, height - y);
      const { bands: data } = await source.readWindow({ x: 0, y, width, height: rows }, { bands: bands });
      for (const [c, band] of data.entries()) {
        const values = Float32Array.from(band, (v) => (nodata !== null && v === nodata ? Number.NaN : v));
        samplers[c]!.addStrip(y, rows, values);
      }
    }
    const { width: w, height: h } = samplers[0]!;
    const rgba = new Uint8Array(w * h * 4);
    const all = new Float32Array(w * h * samplers.length);
    samplers.forEach((sampler, c) => all.set(sampler.data, c * w * h));
    const [lo, hi] = stretchBounds(all);
    for (const [c, sampler] of samplers.entries()) {
      for (let i = 0; i < w * h; i++) {
        const v = sampler.data[i]!;
        rgba[i * 4 + c] = Number.isFinite(v) ? Math.round(255 * Math.min(1, Math.max(0, (v - lo) / (hi - lo)))) : 0;
        if (c === 0) rgba[i * 4 + 3] = Number.isFinite(v) ? 255 : 0;
      }
    }
    for (let i = 0; i < w * h; i++) {
      if (!samplers.every((s) => Number.isFinite(s.data[i]!))) rgba[i * 4 + 3] = 0;
    }
    return { width: w, height: h, rgba };
  } finally {
    await source.close();
  }
}
