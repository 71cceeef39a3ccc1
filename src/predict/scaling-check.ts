import type { RasterSource } from '../raster/types.js';
import { sampleWindows } from './image-stretch.js';
import type { InputNormalisation } from './normalisation.js';

/** A median reflectance above this is not a plausible surface (snow and cloud tops reach ~1). */
export const MAX_PLAUSIBLE_MEDIAN = 1.2;
const SAMPLE_PIXELS = 65_536;

/**
 * For a fixed scaling (not a per-image stretch), the median value each model band gets after it,
 * over a spread sample of valid pixels; a message when one is implausible as reflectance (a
 * scene stored x1000 in int32, or x10 in uint16, gives "cloud 91 %" without it). Null when fine.
 */
export async function implausibleScaling(source: RasterSource, bands: number[], nodata: number | null, normalisation: InputNormalisation, bandNames: string[]): Promise<string | null> {
  if (normalisation.clip) return null; // a stretch maps every image to 0..1 by construction
  const { width, height } = source.info;
  const values: number[][] = bands.map(() => []);
  for (const window of sampleWindows(width, height, 64, SAMPLE_PIXELS)) {
    const data = await source.readWindow(window, { bands });
    const n = window.width * window.height;
    for (let i = 0; i < n; i++) {
      if (nodata !== null && data.bands.every((band) => band[i] === nodata)) continue;
      data.bands.forEach((band, b) => {
        const x = (band[i]! - normalisation.subtract[b]!) / normalisation.divide[b]!;
        if (Number.isFinite(x)) values[b]!.push(x);
      });
    }
  }
  const medians = values.map((v) => (v.length === 0 ? Number.NaN : v.sort((a, b) => a - b)[v.length >> 1]!));
  const worst = medians.reduce((w, m, b) => (m > (medians[w] ?? -Infinity) ? b : w), 0);
  const median = medians[worst]!;
  if (!(median > MAX_PLAUSIBLE_MEDIAN)) return null;
  return (
    `after scaling (${normalisation.description}) the median of band ${bandNames[worst] ?? worst + 1} is ${median.toPrecision(3)}, not a plausible reflectance (<= ${MAX_PLAUSIBLE_MEDIAN}): ` +
    'the image is probably stored with another scale (x1000, x10...); the cloud masks will be wrong. Check --sensor, or rescale the image'
  );
}
