import { openRaster } from '../../raster/open.js';
import { readReflectance, reflectanceImageOf } from '../../raster/reflectance-stack.js';
import type { StackImage } from '../../raster/stack.js';
import type { RasterSource, Window } from '../../raster/types.js';
import type { NamedBand } from '../../shadow/index.js';
import type { ProbabilityFormat } from '../scene-predictor.js';

/** One other date as the clear-sky reference reads it. */
export interface ReferenceDate {
  image: StackImage;
  /** Its final stack probability COG (written by the stack pass). */
  probability: string;
}

/**
 * Clear-sky reference of date t for the shadow pass: for each window (stack grid), the
 * (1 - p)-weighted mean reflectance of the OTHER dates in the shadow bands, counting only
 * observations with stack probability p < threshold; NaN where no such date. Reads one date and
 * band set at a time, so memory is a few window-sized arrays whatever the number of dates.
 */
export function stackReference(
  others: ReferenceDate[],
  bandNames: string[],
  threshold: number,
  format: ProbabilityFormat,
): { reference: (window: Window) => Promise<NamedBand[]>; close: () => Promise<void> } {
  const opened: { image: ReturnType<typeof reflectanceImageOf>; bands: number[]; source?: RasterSource; probability?: RasterSource }[] = others.map((other) => {
    const present = bandNames.filter((name) => other.image.bandNames.includes(name));
    return { image: reflectanceImageOf(other.image, present), bands: bandNames.map((name) => present.indexOf(name)) };
  });
  const paths = others.map((o) => o.probability);
  return {
    async reference(window: Window): Promise<NamedBand[]> {
      const n = window.width * window.height;
      const sums = bandNames.map(() => new Float64Array(n));
      const weights = bandNames.map(() => new Float64Array(n));
      for (let u = 0; u < opened.length; u++) {
        const date = opened[u]!;
        if (date.image.bandNames.length === 0) continue;
        date.source ??= await date.image.open();
        date.probability ??= await openRaster(paths[u]!);
        const raw = (await date.probability.readWindow(window, { bands: [0] })).bands[0]!;
        const reflectance = await readReflectance(date.image, date.source, { x: date.image.offset.x + window.x, y: date.image.offset.y + window.y, width: window.width, height: window.height });
        for (let k = 0; k < bandNames.length; k++) {
          const j = date.bands[k]!;
          if (j < 0) continue;
          const values = reflectance[j]!;
          const sum = sums[k]!;
          const weight = weights[k]!;
          for (let i = 0; i < n; i++) {
            const r = raw[i]!;
            const p = format === 'uint8' ? (r === 255 ? Number.NaN : r / 100) : r;
            if (!(p < threshold)) continue;
            const v = values[i]!;
            if (Number.isNaN(v)) continue;
            const w = 1 - p;
            sum[i] += w * v;
            weight[i] += w;
          }
        }
      }
      return bandNames.map((name, k) => {
        const values = new Float32Array(n);
        const sum = sums[k]!;
        const weight = weights[k]!;
        for (let i = 0; i < n; i++) values[i] = weight[i]! > 0 ? sum[i]! / weight[i]! : Number.NaN;
        return { name, values };
      });
    },
    async close(): Promise<void> {
      await Promise.all(opened.flatMap((d) => [d.source?.close(), d.probability?.close()]));
    },
  };
}

/** A source read on the stack's grid: window (x, y) of the stack is (x + offset.x, y + offset.y) of the image. */
export function onStackGrid(source: RasterSource, offset: { x: number; y: number }, width: number, height: number): RasterSource {
  return {
    info: { ...source.info, width, height },
    readWindow: (window, options) => source.readWindow({ ...window, x: window.x + offset.x, y: window.y + offset.y }, options),
    close: () => source.close(),
  };
}
