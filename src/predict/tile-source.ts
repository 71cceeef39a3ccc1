import type { RasterSource } from '../raster/types.js';
import { normaliseTile, type InputNormalisation, type NormalisedTile } from './normalisation.js';
import { chunkRowsFor, directStripReader, RowBuffer } from './row-buffer.js';
import { since } from './stage-seconds.js';
import type { TilePlan } from './tile-plan.js';

/** Normalised network inputs of a scene's tiles, in plan order (row-major). */
export interface TileSource {
  /** Tile `index`; call in increasing order. Starting the next one early overlaps it with inference. */
  tile(index: number): Promise<NormalisedTile>;
  close(): Promise<void>;
}

export interface TileSourceOptions {
  bands: number[];
  nodata: number | null;
  normalisation: InputNormalisation;
  readChunkRows?: number;
  /** Full-width row chunks above this many samples are not kept: tiles are read one by one. Default MAX_ROW_CHUNK_SAMPLES. */
  maxRowChunkSamples?: number;
}

/**
 * Most samples a full-width row chunk may hold (a 20000-pixel-wide scene with 1024-row blocks and
 * 4 bands takes 82 M); wider scenes read each tile's window straight from the file instead, so
 * their memory does not grow with the scene width (at the cost of decoding shared blocks again).
 */
export const MAX_ROW_CHUNK_SAMPLES = 100_000_000;

/** Reads and normalises tiles in this thread (rows read once per block row, kept while needed). */
export function inThreadTileSource(source: RasterSource, plan: TilePlan, options: TileSourceOptions): TileSource {
  const { width, height } = source.info;
  const chunkRows = options.readChunkRows ?? chunkRowsFor(source.info.blockHeight);
  const perTile = width * chunkRows * options.bands.length > (options.maxRowChunkSamples ?? MAX_ROW_CHUNK_SAMPLES);
  const rows = perTile ? null : new RowBuffer(directStripReader(source, options.bands), width, height, chunkRows);
  return {
    async tile(index) {
      const row = plan.rows[Math.floor(index / plan.columns.length)]!;
      const column = plan.columns[index % plan.columns.length]!;
      if (rows && index % plan.columns.length === 0) {
        // A new tile row: rows above it are done; start reading what the next tile row needs.
        rows.release(row.start);
        const nextRow = plan.rows[Math.floor(index / plan.columns.length) + 1];
        rows.prefetch(nextRow ? nextRow.start + nextRow.length : height);
      }
      const readStart = performance.now();
      const bands = rows
        ? await rows.window(column.start, row.start, column.length, row.length)
        : (await source.readWindow({ x: column.start, y: row.start, width: column.length, height: row.length }, { bands: options.bands })).bands;
      const read = since(readStart);
      const normaliseStart = performance.now();
      const tile = normaliseTile(
        bands,
        { width: column.length, height: row.length, inputWidth: column.size, inputHeight: row.size, padLeft: column.padBefore, padTop: row.padBefore },
        options.normalisation,
        options.nodata,
      );
      return { ...tile, seconds: { read, normalise: since(normaliseStart) } };
    },
    async close() {},
  };
}
