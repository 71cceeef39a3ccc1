/**
 * Sun angles at a map position: bilinear between the nodes of the product's angle grid
 * (Sentinel-2: 5 km), azimuth interpolated as a direction (so 359 and 1 give 0, not 180); NaN
 * nodes are left out of the weights. Without a grid, the product's mean angles.
 */
import type { ProductMetadata } from './product-metadata.js';

function bilinear(values: number[][], fx: number, fy: number, circular: boolean): number {
  const rows = values.length;
  const cols = values[0]?.length ?? 0;
  const c0 = Math.max(0, Math.min(cols - 1, Math.floor(fx)));
  const r0 = Math.max(0, Math.min(rows - 1, Math.floor(fy)));
  const c1 = Math.min(cols - 1, c0 + 1);
  const r1 = Math.min(rows - 1, r0 + 1);
  const tx = Math.max(0, Math.min(1, fx - c0));
  const ty = Math.max(0, Math.min(1, fy - r0));
  let sum = 0;
  let sx = 0;
  let sy = 0;
  let weight = 0;
  for (const [r, c, w] of [
    [r0, c0, (1 - tx) * (1 - ty)],
    [r0, c1, tx * (1 - ty)],
    [r1, c0, (1 - tx) * ty],
    [r1, c1, tx * ty],
  ] as const) {
    const v = values[r]?.[c];
    if (v === undefined || !Number.isFinite(v) || w === 0) continue;
    sum += w * v;
    sx += w * Math.cos((v * Math.PI) / 180);
    sy += w * Math.sin((v * Math.PI) / 180);
    weight += w;
  }
  if (weight === 0) return Number.NaN;
  if (!circular) return sum / weight;
  const angle = (Math.atan2(sy, sx) * 180) / Math.PI;
  return angle < 0 ? angle + 360 : angle;
}

/** Sun zenith and azimuth (degrees) at map coordinates (x, y) in the product's CRS. */
export function sunAnglesAt(product: Pick<ProductMetadata, 'sunGrids' | 'sunZenith' | 'sunAzimuth'>, x: number, y: number): { zenith: number | null; azimuth: number | null } {
  const grids = product.sunGrids;
  if (!grids) return { zenith: product.sunZenith, azimuth: product.sunAzimuth };
  const at = (grid: typeof grids.zenith, circular: boolean) => bilinear(grid.values, (x - grids.originX) / grid.colStep, (grids.originY - y) / grid.rowStep, circular);
  const zenith = at(grids.zenith, false);
  const azimuth = at(grids.azimuth, true);
  return { zenith: Number.isFinite(zenith) ? zenith : product.sunZenith, azimuth: Number.isFinite(azimuth) ? azimuth : product.sunAzimuth };
}
