import { CLOUD, NODATA, SHADOW } from '../masks/mask-classes.js';

/** Which classes count as positive: the cloud class alone, the shadow class alone, or cloud and shadow together. */
export type PositiveClass = 'cloud' | 'shadow' | 'cloud-shadow';

export interface Confusion {
  tp: number;
  fp: number;
  fn: number;
  tn: number;
}

export const emptyConfusion = (): Confusion => ({ tp: 0, fp: 0, fn: 0, tn: 0 });

export function addConfusion(into: Confusion, other: Confusion): Confusion {
  into.tp += other.tp;
  into.fp += other.fp;
  into.fn += other.fn;
  into.tn += other.tn;
  return into;
}

export function isPositive(cls: number, positive: PositiveClass): boolean {
  if (positive === 'shadow') return cls === SHADOW;
  return cls === CLOUD || (positive === 'cloud-shadow' && cls === SHADOW);
}

/**
 * Counts agreement of two class rasters (same length); pixels that are nodata on either side,
 * or flagged in `ignore`, are left out.
 */
export function accumulateConfusion(
  pred: Uint8Array,
  ref: Uint8Array,
  positive: PositiveClass,
  into: Confusion,
  ignore: Uint8Array | null = null,
): Confusion {
  const cloudCounts = positive !== 'shadow';
  const shadowCounts = positive !== 'cloud';
  for (let i = 0; i < ref.length; i++) {
    const r = ref[i]!;
    const p = pred[i]!;
    if (r === NODATA || p === NODATA || (ignore !== null && ignore[i])) continue;
    const rp = (cloudCounts && r === CLOUD) || (shadowCounts && r === SHADOW);
    const pp = (cloudCounts && p === CLOUD) || (shadowCounts && p === SHADOW);
    if (pp) {
      if (rp) into.tp++;
      else into.fp++;
    } else if (rp) into.fn++;
    else into.tn++;
  }
  return into;
}
