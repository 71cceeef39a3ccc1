/** Scoring cloud masks of in-memory images against truth (tests of training). */
import { createMaskSession } from '../../src/engine/mask-session.js';
import type { ModelFile } from '../../src/model/weights.js';

export interface ScoredImage {
  /** Reflectance [B, H, W], 0 at nodata. */
  values: Float32Array;
  /** CFmask classes: 0 clear, 1 cloud, 2 shadow, 255 nodata. */
  truth: Uint8Array;
}

export interface Counts {
  tp: number;
  fp: number;
  fn: number;
}

/** F1 of cloud (class 1) against clear (class 0); shadow and nodata are not scored. */
export function f1(counts: Counts): number {
  return (2 * counts.tp) / Math.max(2 * counts.tp + counts.fp + counts.fn, 1);
}

export function count(predicted: (i: number) => boolean, truth: Uint8Array, into: Counts): void {
  for (let i = 0; i < truth.length; i++) {
    const t = truth[i];
    if (t !== 0 && t !== 1) continue;
    const p = predicted(i);
    if (p && t === 1) into.tp++;
    else if (p) into.fp++;
    else if (t === 1) into.fn++;
  }
}

/** F1 of a model's masks (probability >= threshold) over every image; the chip is zero-padded to a multiple of 8, centred. */
export async function modelF1(model: ModelFile, images: ScoredImage[], size: number, bands: number, threshold = 0.5): Promise<number> {
  const padded = Math.ceil(size / 8) * 8;
  const top = Math.floor((padded - size) / 2);
  const session = await createMaskSession(model, { threads: 2 });
  const counts: Counts = { tp: 0, fp: 0, fn: 0 };
  for (const image of images) {
    const input = new Float32Array(bands * padded * padded);
    for (let b = 0; b < bands; b++)
      for (let r = 0; r < size; r++)
        input.set(image.values.subarray((b * size + r) * size, (b * size + r + 1) * size), (b * padded + r + top) * padded + top);
    const { mask } = await session.run(input, 1, padded, padded);
    count((i) => mask[(Math.floor(i / size) + top) * padded + (i % size) + top]! >= threshold, image.truth, counts);
  }
  await session.release();
  return f1(counts);
}

/** F1 of the brightness rule "mean reflectance of the bands >= threshold". */
export function brightnessF1(images: ScoredImage[], size: number, bands: number, threshold: number): number {
  const counts: Counts = { tp: 0, fp: 0, fn: 0 };
  const n = size * size;
  for (const image of images) {
    count((i) => {
      let sum = 0;
      for (let b = 0; b < bands; b++) sum += image.values[b * n + i]!;
      return sum / bands >= threshold;
    }, image.truth, counts);
  }
  return f1(counts);
}
