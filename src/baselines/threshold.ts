import { NODATA } from '../masks/mask-classes.js';
import { clamp01, validPixel, visibleBands } from './band-roles.js';
import type { FittedBaseline, ReflectanceStrip } from './baseline-types.js';

export interface ThresholdOptions {
  /** Mean visible reflectance at and above which a pixel is cloud (default 0.3). */
  threshold?: number;
  /** Half-width of the linear ramp that turns brightness into a score (default 0.1). */
  ramp?: number;
}

/**
 * Fixed brightness threshold on the mean visible reflectance (blue, green, red that exist;
 * all bands when none does). Score = 0.5 + (brightness - threshold) / (2 ramp), clipped to
 * [0, 1], so score >= 0.5 exactly where the mask says cloud.
 */
export function thresholdBaseline(bandNames: string[], options: ThresholdOptions = {}): FittedBaseline {
  const threshold = options.threshold ?? 0.3;
  const ramp = options.ramp ?? 0.1;
  const visible = visibleBands(bandNames);
  return {
    halo: 0,
    fitted: { threshold, ramp, bands: visible.map((i) => bandNames[i]) },
    score(strip: ReflectanceStrip) {
      const n = strip.width * (strip.rows - strip.haloTop - strip.haloBottom);
      const offset = strip.haloTop * strip.width;
      const probability = new Float32Array(n);
      const classes = new Uint8Array(n);
      for (let k = 0; k < n; k++) {
        const i = k + offset;
        if (!validPixel(strip.bands, i)) {
          probability[k] = Number.NaN;
          classes[k] = NODATA;
          continue;
        }
        let s = 0;
        for (const b of visible) s += strip.bands[b]![i]!;
        const brightness = s / visible.length;
        probability[k] = clamp01(0.5 + (brightness - threshold) / (2 * ramp));
        classes[k] = brightness >= threshold ? 1 : 0;
      }
      return { probability, classes };
    },
  };
}
