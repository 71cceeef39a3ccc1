import { planAxis } from '../predict/tile-plan.js';
import type { RowBand } from './payload.js';

/**
 * Splits a scene's rows into bands of `tilesPerBand` rows of prediction tiles (the window
 * groups of split jobs). Band edges sit on tile starts, so each band's job runs its own tile
 * rows plus the one row of tiles above it that overlaps its first rows: the blended
 * probability of every pixel then comes from exactly the tiles a one-machine predict uses.
 */
export function planRowBands(height: number, tileSize: number, overlap: number, tilesPerBand: number): RowBand[] {
  const tiles = planAxis(height, tileSize, overlap);
  const bands: RowBand[] = [];
  for (let first = 0; first < tiles.length; first += tilesPerBand) {
    const start = first === 0 ? 0 : tiles[first]!.start;
    const nextFirst = first + tilesPerBand;
    const end = nextFirst < tiles.length ? tiles[nextFirst]!.start : height;
    if (end > start) bands.push({ start, end });
  }
  return bands;
}
