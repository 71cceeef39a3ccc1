/**
 * Warnings for ground images that do not look clear: whatever cloud they hold becomes clear
 * truth in the semi-synthetic stack.
 */
import { quantile } from './noise.js';

export interface GroundBrightness {
  /** Fraction of the valid pixels that look like cloud (see groundBrightness). */
  cloudLike: number;
  /** Median of the mean visible reflectance. */
  medianVisible: number;
}

/**
 * A pixel looks like cloud when its mean visible reflectance is above 0.3 and also above twice
 * the image's median and three times its 10th percentile. The relative bounds keep bright but
 * clear ground of uncalibrated products from counting (NAIP's DN / 255 has a median of
 * 0.31-0.49); an image under uniform overcast is left to seriesWarnings.
 */
export function groundBrightness(reflectance: Float32Array[], bandNames: string[]): GroundBrightness {
  const visible = ['blue', 'green', 'red'].map((name) => reflectance[bandNames.indexOf(name)]);
  const means = new Float32Array(visible[0].length);
  let count = 0;
  for (let i = 0; i < means.length; i += 1) {
    const mean = (visible[0][i] + visible[1][i] + visible[2][i]) / 3;
    if (!Number.isNaN(mean)) means[count++] = mean;
  }
  if (count === 0) return { cloudLike: 0, medianVisible: Number.NaN };
  const valid = means.subarray(0, count);
  const medianVisible = quantile(valid, 0.5);
  const threshold = Math.max(0.3, 2 * medianVisible, 3 * quantile(valid, 0.1));
  let bright = 0;
  for (let i = 0; i < count; i += 1) if (valid[i] > threshold) bright += 1;
  return { cloudLike: bright / count, medianVisible };
}

/** The warning for an image with more than 2 % cloud-like pixels, or null. */
export function imageWarning(brightness: GroundBrightness, source: string): string | null {
  if (brightness.cloudLike <= 0.02) return null;
  return `${source}: looks cloudy (${(100 * brightness.cloudLike).toFixed(1)} % of its pixels are far brighter than the rest): its clouds become clear truth`;
}

/**
 * Warnings for the dates of a series (three or more) whose median visible reflectance is more
 * than twice the series' typical one: overcast or hazy dates that imageWarning cannot see. NAIP's
 * brightest year is 1.4 times its typical one; Sentinel-2 overcast dates are 2.2 and 4.8 times.
 */
export function seriesWarnings(brightness: GroundBrightness[], sources: string[]): string[] {
  const medians = brightness.map((b) => b.medianVisible).filter((m) => !Number.isNaN(m));
  if (medians.length < 3) return [];
  const sorted = [...medians].sort((a, b) => a - b);
  const typical = sorted[Math.floor((sorted.length - 1) / 2)];
  const warnings: string[] = [];
  brightness.forEach((b, k) => {
    if (b.medianVisible > 2 * typical) {
      warnings.push(
        `${sources[k]}: looks overcast or hazy (median visible reflectance ${b.medianVisible.toFixed(3)}, ${(b.medianVisible / typical).toFixed(1)} times the series' typical ${typical.toFixed(3)}): its clouds become clear truth`,
      );
    }
  });
  return warnings;
}
