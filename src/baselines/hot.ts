import { AutocmError } from '../util/errors.js';
import { NODATA } from '../masks/mask-classes.js';
import { clamp01, requireBand } from './band-roles.js';
import type { FittedBaseline, ReflectanceStrip, SampledBaseline } from './baseline-types.js';

export interface HotOptions {
  /** HOT (distance above the clear-sky line, reflectance units) at and above which a pixel is cloud. Default 0.04. */
  threshold?: number;
  /** Half-width of the score ramp around the threshold. Default 0.04. */
  ramp?: number;
}

const core = (strip: ReflectanceStrip, band: number) =>
  strip.bands[band]!.subarray(strip.haloTop * strip.width, (strip.rows - strip.haloBottom) * strip.width);

function quantile(sorted: Float32Array, q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.floor(q * (sorted.length - 1))))]!;
}

/**
 * The clear-sky line red = a + b blue (Zhang et al. 2002), fitted on the darker half of the
 * image: blue is split into 20 bins between its 1st and 50th percentiles, the 90th percentile
 * of red in each bin (the clear upper envelope; haze moves pixels towards blue) is taken, and
 * a least-squares line goes through those points.
 */
export function fitClearSkyLine(blue: Float32Array, red: Float32Array): { intercept: number; slope: number } {
  const order = Float32Array.from(blue).sort();
  const lo = quantile(order, 0.01);
  const hi = quantile(order, 0.5);
  const bins = 20;
  const members: number[][] = Array.from({ length: bins }, () => []);
  if (hi > lo) {
    for (let i = 0; i < blue.length; i++) {
      const b = blue[i]!;
      if (b < lo || b > hi) continue;
      members[Math.min(bins - 1, Math.floor(((b - lo) / (hi - lo)) * bins))]!.push(i);
    }
  }
  const xs: number[] = [];
  const ys: number[] = [];
  for (const bin of members) {
    if (bin.length < 5) continue;
    const reds = Float32Array.from(bin, (i) => red[i]!).sort();
    xs.push(bin.reduce((s, i) => s + blue[i]!, 0) / bin.length);
    ys.push(quantile(reds, 0.9));
  }
  if (xs.length < 3) return { intercept: 0, slope: 1 };
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = ys.reduce((a, b) => a + b, 0) / ys.length;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < xs.length; i++) {
    sxy += (xs[i]! - mx) * (ys[i]! - my);
    sxx += (xs[i]! - mx) ** 2;
  }
  const slope = sxx > 0 ? sxy / sxx : 1;
  // A non-positive slope means no usable clear-sky correlation: fall back to the 1:1 line through the means.
  if (!(slope > 0)) return { intercept: my - mx, slope: 1 };
  return { intercept: my - slope * mx, slope };
}

/**
 * The level at which a band saturates in this image: its maximum, when at least 0.5 % of
 * the sampled pixels sit exactly there (a detector at full scale, e.g. Landsat-5 TM band 1
 * over thick cloud), else null.
 */
export function saturationLevel(values: Float32Array): number | null {
  let max = -Infinity;
  for (const v of values) if (v > max) max = v;
  let atMax = 0;
  for (const v of values) if (v === max) atMax++;
  return values.length > 0 && atMax >= 0.005 * values.length ? max : null;
}

/**
 * Haze-optimised transform: HOT = blue sin(theta) - red cos(theta) + a cos(theta), with
 * theta = atan(b) of the clear-sky line red = a + b blue fitted per image, so HOT is 0 on the
 * line and grows with haze and cloud. Needs blue and red. A saturated blue or red pixel (see
 * `saturationLevel`) is cloud with score 1: there HOT measures the clipping, not the haze.
 */
export function hotBaseline(bandNames: string[], file: string, options: HotOptions = {}): SampledBaseline {
  const blue = requireBand(bandNames, 'blue', 'hot', file);
  const red = requireBand(bandNames, 'red', 'hot', file);
  const threshold = options.threshold ?? 0.04;
  const ramp = options.ramp ?? 0.04;
  return {
    halo: 0,
    features: (strip) => [core(strip, blue), core(strip, red)],
    fit(sample): FittedBaseline {
      if (sample[0]!.length < 100) throw new AutocmError(`the hot baseline needs at least 100 valid pixels to fit the clear-sky line, found ${sample[0]!.length}`, file);
      const blueSaturation = saturationLevel(sample[0]!);
      const redSaturation = saturationLevel(sample[1]!);
      const line = fitClearSkyLine(sample[0]!, sample[1]!);
      const theta = Math.atan(line.slope);
      const sin = Math.sin(theta);
      const cos = Math.cos(theta);
      return {
        halo: 0,
        fitted: { ...line, thetaDegrees: (theta * 180) / Math.PI, threshold, ramp, blueSaturation, redSaturation },
        score(strip) {
          const b = core(strip, blue);
          const r = core(strip, red);
          const probability = new Float32Array(b.length);
          const classes = new Uint8Array(b.length);
          for (let i = 0; i < b.length; i++) {
            if (Number.isNaN(b[i]!) || Number.isNaN(r[i]!) || !allValid(strip, i + strip.haloTop * strip.width)) {
              probability[i] = Number.NaN;
              classes[i] = NODATA;
              continue;
            }
            if ((blueSaturation !== null && b[i]! >= blueSaturation) || (redSaturation !== null && r[i]! >= redSaturation)) {
              probability[i] = 1;
              classes[i] = 1;
              continue;
            }
            const hot = b[i]! * sin - r[i]! * cos + line.intercept * cos;
            probability[i] = clamp01(0.5 + (hot - threshold) / (2 * ramp));
            classes[i] = hot >= threshold ? 1 : 0;
          }
          return { probability, classes };
        },
      };
    },
  };
}

function allValid(strip: ReflectanceStrip, i: number): boolean {
  for (const band of strip.bands) if (Number.isNaN(band[i]!)) return false;
  return true;
}
