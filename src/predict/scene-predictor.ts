import type { CogWriter, RasterSource, TypedArray } from '../raster/types.js';
import { axisWeights, axisWeightSums } from './blend-weights.js';
import { CLEAR, CLOUD, MASK_NODATA, StreamingClassDilation } from './class-dilation.js';
import type { InputNormalisation, NormalisedTile } from './normalisation.js';
import { noStageSeconds, since, type StageSeconds } from './stage-seconds.js';
import { columnBlocks, coreColumns, type ColumnBlock } from './column-blocks.js';
import { planTiles, type AxisTile, type TilePlan } from './tile-plan.js';
import { inThreadTileSource, type TileSource, type TileSourceOptions } from './tile-source.js';

/** The network as this module needs it: NCHW normalised input in, per-pixel probability out. */
export interface MaskRunner {
  /** `at`: the tile's row and column in the tile plan (a runner may skip tiles it does not need). */
  run(input: Float32Array, n: number, height: number, width: number, at: { row: number; column: number }): Promise<{ mask: Float32Array }>;
  /**
   * Set only by runners that do not block the calling thread (sessions in worker threads): runs
   * that proceed at once. Tiles are then started one more ahead, and `run` may take `input`.
   */
  readonly concurrency?: number;
}

export type ProbabilityFormat = 'uint8' | 'float32';
/** Probability nodata: 255 for uint8 (0-100 percent), NaN for float32 (0..1). */
export const probabilityNodata: Record<ProbabilityFormat, number> = { uint8: 255, float32: Number.NaN };

export interface ScenePredictionOptions {
  /** 0-based indices of the source bands that feed the model, in the model's order. */
  bands: number[];
  /** Nodata value of the image (all bands equal to it = nodata); default: the file's. */
  nodata?: number | null;
  normalisation: InputNormalisation;
  tile: number;
  overlap: number;
  /** A pixel is cloud when its probability is >= threshold. */
  threshold: number;
  /** Dilation of the cloud mask by a disk of this radius in pixels (0: none). */
  buffer: number;
  probabilityFormat: ProbabilityFormat;
  onTile?: (done: number, total: number) => void;
  /** Rows read per chunk; default: whole block rows of the file, >= 512. */
  readChunkRows?: number;
  /**
   * Stop after this tile row (0-based, inclusive) of the plan: its rows and all above are written,
   * nothing below is read or run (one row band of a split scene). Default: the whole scene.
   */
  lastTileRow?: number;
  /** Where normalised tiles come from; default: read and normalised in this thread. */
  tileSource?: (plan: TilePlan, options: TileSourceOptions) => Promise<TileSource>;
  /**
   * Scenes wider than this many pixels are predicted in column blocks of this width (see
   * column-blocks.ts), so memory does not grow with the width. Default: no blocks.
   */
  columnBlockWidth?: number;
}

export interface SceneStatistics {
  pixels: number;
  nodataPixels: number;
  cloudPixels: number;
  /** Pixels whose input had NaN or infinite values (counted as nodata). */
  nonFinitePixels: number;
  tiles: number;
  seconds: StageSeconds;
}

/**
 * Predicts one scene tile by tile and streams both outputs row strip by row strip. Tiles
 * overlap and are blended with weights that fall to 0 at tile borders; the blend sum of a tile
 * row is kept in a strip of one tile height by the scene width, and rows no later tile reaches
 * are written out at once, so memory depends on tile size and scene width, not on scene height.
 * The next tile is read and normalised while the network runs on the current one.
 */
export async function predictScene(
  source: RasterSource,
  runner: MaskRunner,
  writers: { probability: CogWriter; mask: CogWriter },
  options: ScenePredictionOptions,
): Promise<SceneStatistics> {
  const { width, height } = source.info;
  const nodataValue = options.nodata === undefined ? source.info.nodata : options.nodata;
  const plan = planTiles(width, height, options.tile, options.overlap);
  const columnWeights = axisWeights(plan.columns, options.overlap);
  const rowWeights = axisWeights(plan.rows, options.overlap);
  const columnSums = axisWeightSums(plan.columns, columnWeights, width);
  const rowSums = axisWeightSums(plan.rows, rowWeights, height);
  const stripRows = Math.max(...plan.rows.map((row) => row.length));
  const statistics: SceneStatistics = { pixels: width * height, nodataPixels: 0, cloudPixels: 0, nonFinitePixels: 0, tiles: plan.count, seconds: noStageSeconds() };
  const blocks = columnBlocks(plan, options.columnBlockWidth, options.buffer);
  let tilesBefore = 0;
  const totalTiles = blocks.reduce((total, block) => total + block.plan.count, 0);
  for (const block of blocks) {
    const stripWidth = block.to - block.from;
    const tileOptions: TileSourceOptions = {
      bands: options.bands,
      nodata: nodataValue,
      normalisation: options.normalisation,
      readChunkRows: options.readChunkRows,
      // A block reads its tiles' windows: full-width row chunks would grow with the scene width.
      ...(blocks.length > 1 ? { maxRowChunkSamples: 0 } : {}),
    };
    const tiles = options.tileSource ? await options.tileSource(block.plan, tileOptions) : inThreadTileSource(source, block.plan, tileOptions);
    const offset = tilesBefore;
    const onTile = options.onTile && ((done: number) => options.onTile!(offset + done, totalTiles));
    try {
      await runTiles(block.plan, tiles, runner, writers, { ...options, onTile }, {
        width,
        height,
        statistics,
        columnWeights: columnWeights.slice(block.firstColumn, block.firstColumn + block.plan.columns.length),
        rowWeights,
        columnSums,
        rowSums,
        sum: new Float32Array(stripRows * stripWidth),
        nodataStrip: new Uint8Array(stripRows * stripWidth),
        stripRows,
        block,
        dilation: new StreamingClassDilation(block.needTo - block.needFrom, height, options.buffer, 0),
      });
    } finally {
      await tiles.close();
    }
    tilesBefore += block.plan.count;
  }
  return statistics;
}

interface SceneState {
  width: number;
  height: number;
  statistics: SceneStatistics;
  columnWeights: Float32Array[];
  rowWeights: Float32Array[];
  columnSums: Float64Array;
  rowSums: Float64Array;
  sum: Float32Array;
  nodataStrip: Uint8Array;
  stripRows: number;
  /** The block's columns: the strips span block.from..block.to. */
  block: ColumnBlock;
  dilation: StreamingClassDilation;
}

async function runTiles(
  plan: TilePlan,
  tiles: TileSource,
  runner: MaskRunner,
  writers: { probability: CogWriter; mask: CogWriter },
  options: ScenePredictionOptions,
  state: SceneState,
): Promise<SceneStatistics> {
  const { height, statistics, columnWeights, rowWeights, columnSums, rowSums, sum, nodataStrip, stripRows, block, dilation } = state;
  const width = block.to - block.from;
  const tileAt = (index: number) => ({ row: plan.rows[Math.floor(index / plan.columns.length)]!, column: plan.columns[index % plan.columns.length]! });
  const seconds = statistics.seconds;
  let pendingWrite: Promise<void> = Promise.resolve();
  const lastRow = Math.min(options.lastTileRow ?? plan.rows.length - 1, plan.rows.length - 1);
  const count = (lastRow + 1) * plan.columns.length;
  // Runs started ahead: one for a runner that blocks this thread (the next starts after this
  // tile's strip is handed to the writer); for one that does not, one more than run at once, so
  // that no worker waits while this thread blends.
  const ahead = runner.concurrency === undefined ? 1 : Math.max(1, runner.concurrency) + 1;
  // Tiles are requested in order, each after the one before (a source prepares them in order),
  // one beyond the runs started so that the reader works while the network does.
  const tileRequests = new Map<number, Promise<NormalisedTile>>();
  let requestChain: Promise<unknown> = Promise.resolve();
  let requested = -1;
  const requestTile = (index: number): Promise<NormalisedTile> => {
    for (let next = requested + 1; next <= Math.min(index, count - 1); next++) {
      const request = requestChain.then(() => tiles.tile(next));
      request.catch(() => undefined); // awaited in order below; a failure surfaces there
      requestChain = request.catch(() => undefined);
      tileRequests.set(next, request);
      requested = next;
    }
    return tileRequests.get(index)!;
  };
  const runs = new Map<number, Promise<{ tile: NormalisedTile; mask: Float32Array | null }>>();
  const startRun = (index: number) => {
    if (index >= count) return;
    const { row, column } = tileAt(index);
    const at = { row: Math.floor(index / plan.columns.length), column: block.firstColumn + (index % plan.columns.length) };
    const run = requestTile(index).then(async (tile) => {
      // A tile that is nodata everywhere adds nothing a written pixel keeps (all its pixels are nodata): not run.
      const allNodata = tile.nodata.indexOf(0) === -1;
      const mask = allNodata ? null : (await runner.run(tile.input, 1, row.size, column.size, at)).mask;
      return { tile, mask };
    });
    run.catch(() => undefined);
    runs.set(index, run);
    requestTile(index + 1);
  };
  for (let index = 0; index < ahead; index++) startRun(index);
  for (let index = 0; index < count; index++) {
    const tileWaitStart = performance.now();
    await tileRequests.get(index);
    seconds.waitTile += since(tileWaitStart);
    const inferStart = performance.now();
    const { tile, mask } = await runs.get(index)!;
    seconds.infer += since(inferStart);
    runs.delete(index);
    tileRequests.delete(index);
    seconds.read += tile.seconds?.read ?? 0;
    seconds.normalise += tile.seconds?.normalise ?? 0;
    const { row, column } = tileAt(index);
    const rowIndex = Math.floor(index / plan.columns.length);
    const columnIndex = index % plan.columns.length;
    const blendStart = performance.now();
    statistics.nonFinitePixels += tile.nonFinite;
    accumulate(mask, tile.nodata, row, column, rowWeights[rowIndex]!, columnWeights[columnIndex]!, sum, nodataStrip, width, block.from);
    seconds.blend += since(blendStart);
    options.onTile?.(index + 1, plan.count);

    if (columnIndex === plan.columns.length - 1) {
      const finalEnd = rowIndex + 1 < plan.rows.length ? plan.rows[rowIndex + 1]!.start : height;
      const rows = finalEnd - row.start;
      const finishStart = performance.now();
      const strip = finishRows(sum, nodataStrip, rows, row.start, width, rowSums, columnSums, options, statistics, block);
      const maskRows = blockCore(dilation.push(strip.maskState), block);
      countCloud(maskRows.rows, statistics);
      seconds.blend += since(finishStart);
      const writeWaitStart = performance.now();
      await pendingWrite;
      seconds.waitWrite += since(writeWaitStart);
      const writeStart = performance.now();
      pendingWrite = writeStrips(writers, row.start, rows, strip.probability, maskRows, block).then(() => {
        seconds.write += since(writeStart);
      });
      pendingWrite.catch(() => undefined);
      // Rows still reached by the next tile row move to the top of the strip.
      sum.copyWithin(0, rows * width);
      sum.fill(0, (stripRows - rows) * width);
      nodataStrip.copyWithin(0, rows * width);
      nodataStrip.fill(0, (stripRows - rows) * width);
    }
    startRun(index + ahead);
  }
  const lastWriteStart = performance.now();
  await pendingWrite;
  seconds.waitWrite += since(lastWriteStart);
  return statistics;
}

function accumulate(
  mask: Float32Array | null,
  nodata: Uint8Array,
  row: AxisTile,
  column: AxisTile,
  rowWeights: Float32Array,
  columnWeights: Float32Array,
  sum: Float32Array,
  nodataStrip: Uint8Array,
  width: number,
  stripLeft: number,
): void {
  // The strip's first row is this tile row's first image row.
  for (let r = 0; r < row.length; r++) {
    const wy = rowWeights[r]!;
    const from = (r + row.padBefore) * column.size + column.padBefore;
    const to = r * width + column.start - stripLeft;
    if (!mask) {
      nodataStrip.fill(1, to, to + column.length);
      continue;
    }
    for (let c = 0; c < column.length; c++) {
      sum[to + c] += mask[from + c]! * wy * columnWeights[c]!;
      nodataStrip[to + c] = nodata[r * column.length + c]!;
    }
  }
}

function finishRows(
  sum: Float32Array,
  nodataStrip: Uint8Array,
  rows: number,
  y: number,
  width: number,
  rowSums: Float64Array,
  columnSums: Float64Array,
  options: ScenePredictionOptions,
  statistics: SceneStatistics,
  block: ColumnBlock,
): { probability: TypedArray; maskState: Uint8Array } {
  // Pixels needFrom..needTo (the core and the dilation's reach) get a probability and a state;
  // only the core's are counted and written.
  const outWidth = block.needTo - block.needFrom;
  const count = rows * outWidth;
  const probability = options.probabilityFormat === 'uint8' ? new Uint8Array(count) : new Float32Array(count);
  const nodataOut = probabilityNodata[options.probabilityFormat];
  const scale = options.probabilityFormat === 'uint8' ? 100 : 1;
  const maskState = new Uint8Array(count);
  const first = block.needFrom - block.from;
  const coreFrom = block.coreFrom - block.needFrom;
  const coreTo = block.coreTo - block.needFrom;
  for (let r = 0; r < rows; r++) {
    const rowSum = rowSums[y + r]!;
    for (let o = 0; o < outWidth; o++) {
      const c = first + o;
      const i = r * width + c;
      const out = r * outWidth + o;
      if (nodataStrip[i] === 1) {
        probability[out] = nodataOut;
        maskState[out] = MASK_NODATA;
        if (o >= coreFrom && o < coreTo) statistics.nodataPixels++;
        continue;
      }
      const p = Math.min(1, Math.max(0, sum[i]! / (rowSum * columnSums[block.from + c]!)));
      probability[out] = scale === 100 ? Math.round(p * 100) : p;
      maskState[out] = p >= options.threshold ? CLOUD : CLEAR;
    }
  }
  return { probability: coreColumns(probability, outWidth, coreFrom, coreTo), maskState };
}

/** The block's core columns of dilated rows that span needFrom..needTo. */
function blockCore(rows: { y: number; rows: Uint8Array }, block: ColumnBlock): { y: number; rows: Uint8Array } {
  const width = block.needTo - block.needFrom;
  return { y: rows.y, rows: coreColumns(rows.rows, width, block.coreFrom - block.needFrom, block.coreTo - block.needFrom) };
}

function countCloud(rows: Uint8Array, statistics: SceneStatistics): void {
  for (let i = 0; i < rows.length; i++) if (rows[i] === CLOUD) statistics.cloudPixels++;
}

async function writeStrips(
  writers: { probability: CogWriter; mask: CogWriter },
  y: number,
  rows: number,
  probability: TypedArray,
  maskRows: { y: number; rows: Uint8Array },
  block: ColumnBlock,
): Promise<void> {
  const x = block.coreFrom;
  const width = block.coreTo - block.coreFrom;
  await writers.probability.writeWindow({ window: { x, y, width, height: rows }, bands: [probability] });
  const maskHeight = maskRows.rows.length / width;
  if (maskHeight > 0) await writers.mask.writeWindow({ window: { x, y: maskRows.y, width, height: maskHeight }, bands: [maskRows.rows] });
}
