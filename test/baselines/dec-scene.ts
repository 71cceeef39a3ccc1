import type { ReflectanceStrip } from '../../src/baselines/baseline-types.js';
import { createRandom } from '../../src/util/random.js';

/**
 * A synthetic 64 x 64 blue, green, red, NIR scene with exact truth: four land covers in blocks
 * (water, forest, crop, bright soil), a thick cloud (disc) with a thinner semi-transparent rim,
 * and sensor noise. Truth: 1 where the cloud's opacity is at least 0.5.
 */
export function decScene(seed = 5): { strip: ReflectanceStrip; truth: Uint8Array; width: number } {
  const w = 64;
  const random = createRandom(seed);
  const covers = [
    [0.03, 0.04, 0.03, 0.02], // water
    [0.03, 0.06, 0.04, 0.35], // forest
    [0.06, 0.09, 0.08, 0.28], // crop
    [0.14, 0.17, 0.21, 0.3], // bright soil
  ];
  const cloud = [0.55, 0.55, 0.56, 0.6];
  const bands = [0, 1, 2, 3].map(() => new Float32Array(w * w));
  const truth = new Uint8Array(w * w);
  for (let y = 0; y < w; y++) {
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      const cover = covers[(y >> 4) % 2 === 0 ? ((x >> 4) % 4) : 3 - ((x >> 4) % 4)]!;
      const r = Math.hypot(x - 40, y - 24);
      const opacity = r < 10 ? 0.95 : r < 16 ? 0.95 * (1 - (r - 10) / 6) : 0;
      truth[i] = opacity >= 0.5 ? 1 : 0;
      for (let b = 0; b < 4; b++) bands[b]![i] = (1 - opacity) * cover[b]! + opacity * cloud[b]! + 0.01 * random.normal();
    }
  }
  return { strip: { width: w, rows: w, haloTop: 0, haloBottom: 0, bands }, truth, width: w };
}

export function cloudF1(classes: Uint8Array, truth: Uint8Array): number {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (let i = 0; i < truth.length; i++) {
    const p = classes[i] === 1;
    if (p && truth[i]) tp++;
    else if (p) fp++;
    else if (truth[i]) fn++;
  }
  return (2 * tp) / (2 * tp + fp + fn);
}
