import type { Random } from '../util/random.js';

/** One draw of the augmentation shared by the three packs: k quarter turns, then flips. */
export interface Augmentation {
  quarterTurns: number;
  flipHorizontal: boolean;
  flipVertical: boolean;
}

export function drawAugmentation(random: Random): Augmentation {
  return { quarterTurns: random.int(4), flipHorizontal: random.next() < 0.5, flipVertical: random.next() < 0.5 };
}

/** Applies `a` to every plane of [planes, size, size] (square planes), returning a new array. */
export function augmentPlanes(data: Float32Array, planes: number, size: number, a: Augmentation): Float32Array {
  const out = new Float32Array(data.length);
  const plane = size * size;
  for (let p = 0; p < planes; p++) {
    const base = p * plane;
    for (let row = 0; row < size; row++) {
      for (let col = 0; col < size; col++) {
        // Source pixel of output (row, col): undo the flips, then the rotation.
        let r = a.flipVertical ? size - 1 - row : row;
        let c = a.flipHorizontal ? size - 1 - col : col;
        for (let t = 0; t < a.quarterTurns; t++) {
          // Output of one counter-clockwise quarter turn at (r, c) reads input (c, size-1-r).
          const nr = c;
          c = size - 1 - r;
          r = nr;
        }
        out[base + row * size + col] = data[base + r * size + c]!;
      }
    }
  }
  return out;
}
