/**
 * Where the tiles of a scene go along one axis. The image is first placed, as in the reference,
 * centred in a zero-padded canvas of ceil8(n) px (resize_with_crop_or_pad); tiles are windows of
 * that canvas at multiples of 8. The network has three stride-2 stages, so its output depends
 * on a pixel's position modulo 8: keeping every tile on the canvas's 8-px grid gives each pixel
 * the same phase as a whole-image run, and tiles then differ from it only near their borders,
 * which the blend weights fade out. A canvas no longer than a tile is one tile; a longer one gets
 * full tiles every (tile - overlap) px and a last tile only as long as what is left (> overlap),
 * so the network computes ceil8(n) + (k-1)*overlap px per axis.
 */
export interface AxisTile {
  /** First image pixel covered by the tile. */
  start: number;
  /** Number of image pixels the tile covers. */
  length: number;
  /** Size of the network input along this axis (multiple of 8). */
  size: number;
  /** Zero-pad pixels before the image data inside the network input (only the first tile has any). */
  padBefore: number;
}

export const minimumOverlap = 64;

export function ceilTo8(n: number): number {
  return Math.ceil(n / 8) * 8;
}

/** Validates tile and overlap; returns the stride. */
export function tileStride(tile: number, overlap: number): number {
  if (!Number.isInteger(tile) || tile < 8 || tile % 8 !== 0) throw new RangeError(`tile size must be a multiple of 8, >= 8 (got ${tile})`);
  if (!Number.isInteger(overlap) || overlap < 0 || overlap >= tile || overlap % 8 !== 0) {
    throw new RangeError(`overlap must be a multiple of 8 in [0, tile) (got ${overlap} for tile ${tile})`);
  }
  return tile - overlap;
}

/** Tiles along an axis of n pixels. */
export function planAxis(n: number, tile: number, overlap: number): AxisTile[] {
  const stride = tileStride(tile, overlap);
  const canvas = ceilTo8(n);
  const pad = Math.floor((canvas - n) / 2);
  const fromCanvas = (canvasStart: number, size: number): AxisTile => {
    const start = Math.max(0, canvasStart - pad);
    const end = Math.min(n, canvasStart + size - pad);
    return { start, length: end - start, size, padBefore: start - (canvasStart - pad) };
  };
  const tiles: AxisTile[] = [];
  let canvasStart = 0;
  for (; canvasStart + tile < canvas; canvasStart += stride) tiles.push(fromCanvas(canvasStart, tile));
  tiles.push(fromCanvas(canvasStart, canvas - canvasStart));
  return tiles;
}

export interface TilePlan {
  width: number;
  height: number;
  columns: AxisTile[];
  rows: AxisTile[];
  /** Total number of tiles (columns x rows). */
  count: number;
}

export function planTiles(width: number, height: number, tile: number, overlap: number): TilePlan {
  const columns = planAxis(width, tile, overlap);
  const rows = planAxis(height, tile, overlap);
  return { width, height, columns, rows, count: columns.length * rows.length };
}
