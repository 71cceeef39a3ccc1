import type { TypedArray } from '../raster/types.js';
import type { TilePlan } from './tile-plan.js';

/**
 * A vertical band of a scene predicted on its own: it writes the core columns coreFrom..coreTo,
 * needs the cloud state of needFrom..needTo (the core and what the --buffer dilation reaches), and
 * runs every tile column of the scene's plan that covers any needed pixel (`plan`: those columns,
 * all rows), blended in strips spanning from..to. The tiles, their weights and the order in which
 * they add to a pixel are those of the whole-scene plan, so every pixel comes out bit-identical.
 */
export interface ColumnBlock {
  coreFrom: number;
  coreTo: number;
  needFrom: number;
  needTo: number;
  from: number;
  to: number;
  /** Index of the block's first tile column in the scene's plan. */
  firstColumn: number;
  plan: TilePlan;
}

/**
 * Column blocks of `blockWidth` pixels (the last one what is left), or one block for the whole
 * scene when it is no wider than `blockWidth` (or no width is given). Block edges at multiples of
 * the width keep COG tiles (512 px) and their first overviews whole within a block when the width
 * is a multiple of 512 * 2^k.
 */
export function columnBlocks(plan: TilePlan, blockWidth: number | undefined, buffer: number): ColumnBlock[] {
  const { width } = plan;
  const step = blockWidth !== undefined && width > blockWidth ? blockWidth : width;
  if (!Number.isInteger(step) || step <= 0) throw new RangeError(`column block width must be a positive integer (got ${blockWidth})`);
  const blocks: ColumnBlock[] = [];
  for (let coreFrom = 0; coreFrom < width; coreFrom += step) {
    const coreTo = Math.min(width, coreFrom + step);
    const needFrom = Math.max(0, coreFrom - buffer);
    const needTo = Math.min(width, coreTo + buffer);
    const first = plan.columns.findIndex((column) => column.start + column.length > needFrom);
    let last = first;
    while (last + 1 < plan.columns.length && plan.columns[last + 1]!.start < needTo) last++;
    const columns = plan.columns.slice(first, last + 1);
    const from = columns[0]!.start;
    const to = columns[columns.length - 1]!.start + columns[columns.length - 1]!.length;
    blocks.push({ coreFrom, coreTo, needFrom, needTo, from, to, firstColumn: first, plan: { ...plan, columns, count: columns.length * plan.rows.length } });
  }
  return blocks;
}

/** Scenes up to this width are predicted whole (a 20000^2 scene keeps ~1.4 GiB, docs/performance.md). */
export const WHOLE_SCENE_MAX_WIDTH = 20480;
/** Block width for wider scenes: 32 COG tiles of 512 px, so levels 0-5 of the COG stay within a block. */
export const COLUMN_BLOCK_WIDTH = 16384;

/** The column block width predict uses for a scene this wide (undefined: the whole scene at once). */
export function columnBlockWidthFor(width: number): number | undefined {
  return width > WHOLE_SCENE_MAX_WIDTH ? COLUMN_BLOCK_WIDTH : undefined;
}

/** Columns from..to of a row-major array `width` wide (the array itself when that is all of it). */
export function coreColumns<T extends TypedArray>(values: T, width: number, from: number, to: number): T {
  if (from === 0 && to === width) return values;
  const rows = values.length / width;
  const out = new (values.constructor as new (length: number) => T)(rows * (to - from));
  for (let r = 0; r < rows; r++) out.set(values.subarray(r * width + from, r * width + to), r * (to - from));
  return out;
}
