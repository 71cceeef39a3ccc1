import type { Random } from '../util/random.js';

/**
 * Crop geometry of a training sample (METHOD.md): crop1 at (0, 0), crop2 at a random offset on a
 * grid (reference: crop 200, grid 50, offsets 0..200, so tiles of 400). The grid scales with the
 * crop (crop / 4) and offsets stop where the tile (at most crop + crop) ends.
 */
export interface CropPlan {
  crop: number;
  /** Side of the square tile read per image: crop + largest offset. */
  tile: number;
  /** Allowed offsets of crop2 along each axis. */
  offsets: number[];
}

export function planCrops(crop: number, maxTile: number, grid = Math.max(1, Math.round(crop / 4))): CropPlan {
  const largest = Math.max(0, Math.min(crop, maxTile - crop));
  const offsets: number[] = [];
  for (let o = 0; o <= largest; o += grid) offsets.push(o);
  return { crop, tile: crop + offsets[offsets.length - 1]!, offsets };
}

/** Overlap ratio of crop1 at (0, 0) and crop2 at (dx, dy): intersection area / crop area. */
export function overlapRatio(crop: number, dx: number, dy: number): number {
  return (Math.max(0, crop - dx) * Math.max(0, crop - dy)) / (crop * crop);
}

export function drawOffset(plan: CropPlan, random: Random): { dx: number; dy: number } {
  return { dx: plan.offsets[random.int(plan.offsets.length)]!, dy: plan.offsets[random.int(plan.offsets.length)]! };
}

/** Copies the crop x crop window at (dx, dy) out of [N, C, tile, tile] into [N, C, crop, crop]. */
export function cropTile(data: Float32Array, planes: number, tile: number, crop: number, dx: number, dy: number): Float32Array {
  const out = new Float32Array(planes * crop * crop);
  for (let p = 0; p < planes; p++) {
    for (let row = 0; row < crop; row++) {
      const from = p * tile * tile + (row + dy) * tile + dx;
      out.set(data.subarray(from, from + crop), (p * crop + row) * crop);
    }
  }
  return out;
}
