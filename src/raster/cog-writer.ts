/**
 * Streaming Cloud-Optimized GeoTIFF writer. Windows of full-resolution pixels arrive in any order;
 * each completed 512x512 tile is predicted, DEFLATE-compressed and appended to a spool file, and
 * its 2x-reduced version is folded into the next overview level, so memory holds only tiles still
 * being filled. finish() lays out header, structural metadata, every IFD, then tile data from the
 * smallest overview to full resolution (GDAL's COG order) under a temporary name, and renames it.
 */
import { open, rm, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { AutocmError } from '../util/errors.js';
import { temporaryPathFor, writeAtomically } from '../util/atomic.js';
import { asWriteError, describeFsError } from '../util/fs-errors.js';
import { prepareOutputFolder } from '../util/output-folder.js';
import { createTrackedTemporary, untrackTemporary } from '../util/temporary-cleanup.js';
import { writeFully } from '../util/write-fully.js';
import { arrayTypeMatches, copyIntoTile, createTileData, downsampleInto, encodeTile, predictorFor, type CogSampleType, type TileBuffer } from './cog-tiles.js';
import { encodeHeader, encodeIfd, FieldType, ifdByteLength, type IfdEntry } from './tiff-ifd.js';
import { georeferenceTags } from './tiff-georef.js';
import { formatGdalMetadata, formatNodata, sampleFormatOf } from './tiff-tags.js';
import type { CogWriteOptions, CogWriter, TypedArray, WindowData } from './types.js';

/** GDAL's COG "ghost" header: tells GDAL (LAYOUT=COG) and other readers how the file is laid out. */
const STRUCTURAL_METADATA_BODY =
  'LAYOUT=IFDS_BEFORE_DATA\nBLOCK_ORDER=ROW_MAJOR\nBLOCK_LEADER=SIZE_AS_UINT4\nBLOCK_TRAILER=LAST_4_BYTES_REPEATED\nKNOWN_INCOMPATIBLE_EDITION=NO\n ';
const STRUCTURAL_METADATA = `GDAL_STRUCTURAL_METADATA_SIZE=${String(STRUCTURAL_METADATA_BODY.length).padStart(6, '0')} bytes\n${STRUCTURAL_METADATA_BODY}`;
/** Bytes around each tile: a 4-byte size before it, its last 4 bytes repeated after it. */
const TILE_LEADER = 4;
const TILE_TRAILER = 4;
const CLASSIC_TIFF_LIMIT = 2 ** 32 - 1;
/** spoolOffsets value of a complete tile whose compression is still running. */
const COMPRESSING = -2;
/**
 * Compressions in flight at most: each holds its tile (512 KiB for uint16) and a zlib stream
 * (~400 KiB) until libuv's pool gets to it, so without a limit a row of tiles (20 at 10000 px,
 * 400 at 200000 px) would all be alive at once. Twice the pool keeps every pool thread fed.
 */
const MAX_COMPRESSIONS_IN_FLIGHT = 2 * Math.max(1, Number(process.env.UV_THREADPOOL_SIZE) || 4);
/** Metadata items GDAL keeps in TIFF tags of their own rather than in GDAL_METADATA. */
const TIFF_TEXT_TAGS: Record<string, number> = { TIFFTAG_IMAGEDESCRIPTION: 270, TIFFTAG_SOFTWARE: 305, TIFFTAG_DATETIME: 306 };

interface Level {
  width: number;
  height: number;
  tilesAcross: number;
  tilesDown: number;
  /** Tiles being filled, by index (row * tilesAcross + col). */
  pending: Map<number, TileBuffer>;
  /** Spool offset and compressed length per tile; -1 until complete, COMPRESSING until spooled. */
  spoolOffsets: Float64Array;
  byteCounts: Float64Array;
  tilesDone: number;
}

/** Full resolution, then 2x reductions until the image fits in one tile (GDAL's COG default). */
function planLevels(width: number, height: number, tileSize: number): Level[] {
  const levels: Level[] = [];
  let w = width;
  let h = height;
  for (;;) {
    const tilesAcross = Math.ceil(w / tileSize);
    const tilesDown = Math.ceil(h / tileSize);
    levels.push({
      width: w,
      height: h,
      tilesAcross,
      tilesDown,
      pending: new Map(),
      spoolOffsets: new Float64Array(tilesAcross * tilesDown).fill(-1),
      byteCounts: new Float64Array(tilesAcross * tilesDown),
      tilesDone: 0,
    });
    if (w <= tileSize && h <= tileSize) return levels;
    w = Math.ceil(w / 2);
    h = Math.ceil(h / 2);
  }
}

function fitsSampleType(value: number, type: CogSampleType): boolean {
  if (type === 'float32') return Number.isNaN(value) || !Number.isFinite(value) || Math.fround(value) === value;
  const max = type === 'uint8' ? 255 : 65535;
  return Number.isInteger(value) && value >= 0 && value <= max;
}

function validateOptions(path: string, options: CogWriteOptions): void {
  const { width, height, bandCount, sampleType } = options;
  const blockSize = options.blockSize ?? 512;
  if (![width, height, bandCount].every((n) => Number.isInteger(n) && n > 0)) {
    throw new AutocmError(`invalid COG size ${width}x${height} with ${bandCount} bands`, path);
  }
  if (!['uint8', 'uint16', 'float32'].includes(sampleType)) throw new AutocmError(`unsupported COG sample type ${sampleType}`, path);
  if (!Number.isInteger(blockSize) || blockSize < 16 || blockSize % 16 !== 0) {
    throw new AutocmError(`COG block size must be a multiple of 16, got ${blockSize}`, path);
  }
  if (options.nodata !== undefined && options.nodata !== null && !fitsSampleType(options.nodata, sampleType)) {
    throw new AutocmError(`nodata ${options.nodata} cannot be stored as ${sampleType}`, path);
  }
  if ((options.bandMetadata?.length ?? 0) > bandCount) {
    throw new AutocmError(`band metadata for ${options.bandMetadata?.length} bands, the COG has ${bandCount}`, path);
  }
  if ((options.bandDescriptions?.length ?? 0) > bandCount) {
    throw new AutocmError(`${options.bandDescriptions?.length} band descriptions for ${bandCount} bands`, path);
  }
}

class StreamingCogWriter implements CogWriter {
  private readonly levels: Level[];
  private readonly tileSize: number;
  private readonly sampleType: CogSampleType;
  private spoolSize = 0;
  private readonly spoolWrites = new Set<Promise<unknown>>();
  private state: 'open' | 'finishing' | 'done' = 'open';
  private spoolError: Error | undefined;
  /** Tile buffers already spooled, reused so streaming creates little garbage for the GC to chase. */
  private readonly freeTiles: TileBuffer['data'][] = [];

  constructor(
    private readonly finalPath: string,
    private readonly options: CogWriteOptions,
    private readonly spoolPath: string,
    private readonly spool: FileHandle,
  ) {
    this.tileSize = options.blockSize ?? 512;
    this.sampleType = options.sampleType;
    this.levels = planLevels(options.width, options.height, this.tileSize);
  }

  /** The pixel size, in the level's pixels, of the part of a tile that lies inside the image. */
  private validSize(level: Level, tileCol: number, tileRow: number): { width: number; height: number } {
    return {
      width: Math.min(this.tileSize, level.width - tileCol * this.tileSize),
      height: Math.min(this.tileSize, level.height - tileRow * this.tileSize),
    };
  }

  private pendingTile(level: Level, index: number): TileBuffer {
    let tile = level.pending.get(index);
    if (!tile) {
      const recycled = this.freeTiles.pop();
      recycled?.fill(0);
      tile = { data: recycled ?? createTileData(this.sampleType, this.tileSize, this.options.bandCount), filled: 0 };
      level.pending.set(index, tile);
    }
    return tile;
  }

  private checkWindow({ window, bands }: WindowData): void {
    const { x, y, width, height } = window;
    const { width: imageWidth, height: imageHeight, bandCount } = this.options;
    const inside = [x, y, width, height].every(Number.isInteger) && x >= 0 && y >= 0 && width > 0 && height > 0 && x + width <= imageWidth && y + height <= imageHeight;
    if (!inside) throw new AutocmError(`window x=${x} y=${y} ${width}x${height} lies outside the ${imageWidth}x${imageHeight} image`, this.finalPath);
    if (bands.length !== bandCount) throw new AutocmError(`window has ${bands.length} bands, the COG ${bandCount}`, this.finalPath);
    bands.forEach((band: TypedArray, b: number) => {
      if (!arrayTypeMatches(this.sampleType, band)) {
        throw new AutocmError(`band ${b + 1} is a ${band.constructor.name}, the COG stores ${this.sampleType}`, this.finalPath);
      }
      if (band.length !== width * height) throw new AutocmError(`band ${b + 1} has ${band.length} values for a ${width}x${height} window`, this.finalPath);
    });
  }

  async writeWindow(data: WindowData): Promise<void> {
    if (this.state !== 'open') throw new AutocmError('COG writer is already finished or aborted', this.finalPath);
    this.checkWindow(data);
    const { x, y, width, height } = data.window;
    const level = this.levels[0];
    const size = this.tileSize;
    for (let tileRow = Math.floor(y / size); tileRow <= Math.floor((y + height - 1) / size); tileRow++) {
      for (let tileCol = Math.floor(x / size); tileCol <= Math.floor((x + width - 1) / size); tileCol++) {
        const left = Math.max(x, tileCol * size);
        const top = Math.max(y, tileRow * size);
        const right = Math.min(x + width, (tileCol + 1) * size);
        const bottom = Math.min(y + height, (tileRow + 1) * size);
        const index = tileRow * level.tilesAcross + tileCol;
        if (level.spoolOffsets[index] !== -1) throw new AutocmError(`pixels at x=${left} y=${top} were already written`, this.finalPath);
        const tile = this.pendingTile(level, index);
        copyIntoTile(tile.data, size, data.bands, width, left - x, top - y, left - tileCol * size, top - tileRow * size, right - left, bottom - top);
        tile.filled += (right - left) * (bottom - top);
        this.completeIfFull(0, tileCol, tileRow);
        await this.limitCompressionsInFlight();
        if (this.state !== 'open') throw new AutocmError('COG writer was finished or aborted during a write', this.finalPath);
      }
    }
    await this.flushSpool();
  }

  /** When a tile has all its pixels: fold it into the next level, then compress and spool it. */
  private completeIfFull(levelIndex: number, tileCol: number, tileRow: number): void {
    const level = this.levels[levelIndex];
    const index = tileRow * level.tilesAcross + tileCol;
    const tile = level.pending.get(index);
    const valid = this.validSize(level, tileCol, tileRow);
    if (!tile || tile.filled < valid.width * valid.height) return;
    level.pending.delete(index);
    const next = this.levels[levelIndex + 1];
    if (next) {
      const nextCol = tileCol >> 1;
      const nextRow = tileRow >> 1;
      const target = this.pendingTile(next, nextRow * next.tilesAcross + nextCol);
      const half = this.tileSize / 2;
      const written = downsampleInto(tile.data, target.data, (tileCol & 1) * half, (tileRow & 1) * half, {
        tileSize: this.tileSize,
        bandCount: this.options.bandCount,
        validWidth: valid.width,
        validHeight: valid.height,
        method: this.options.overviewResampling ?? 'nearest',
        nodata: this.options.nodata ?? null,
        integer: this.sampleType !== 'float32',
      });
      target.filled += written.width * written.height;
    }
    // Compressed off this thread; the tile lands in the spool (any order: offsets are kept per tile) when done.
    const data = tile.data;
    level.spoolOffsets[index] = COMPRESSING;
    const write = encodeTile(data, this.tileSize, this.options.bandCount).then((compressed) => {
      if (this.freeTiles.length <= this.levels[0].tilesAcross) this.freeTiles.push(data);
      const offset = this.spoolSize;
      level.spoolOffsets[index] = offset;
      level.byteCounts[index] = compressed.length;
      level.tilesDone++;
      this.spoolSize += compressed.length;
      return writeFully(this.spool, compressed, offset, this.finalPath);
    });
    this.spoolWrites.add(write);
    write.then(
      () => this.spoolWrites.delete(write),
      (error: unknown) => {
        this.spoolWrites.delete(write);
        this.spoolError ??= error as Error;
      },
    );
    if (next) this.completeIfFull(levelIndex + 1, tileCol >> 1, tileRow >> 1);
  }

  /** Waits for the oldest compressions until fewer than MAX_COMPRESSIONS_IN_FLIGHT run. */
  private async limitCompressionsInFlight(): Promise<void> {
    while (this.spoolWrites.size >= MAX_COMPRESSIONS_IN_FLIGHT) {
      const oldest = this.spoolWrites.values().next().value as Promise<unknown>;
      await oldest.catch(() => undefined);
      this.spoolWrites.delete(oldest); // its own handler has done so already, and kept any error
    }
  }

  private async flushSpool(): Promise<void> {
    await Promise.allSettled(this.spoolWrites);
    if (this.spoolError) throw this.spoolError;
  }

  /** The tags of one level's IFD; tile offsets are placeholders until `offsets` is given. */
  private ifdEntries(levelIndex: number, bigTiff: boolean, offsets?: number[]): IfdEntry[] {
    const level = this.levels[levelIndex];
    const { bandCount, nodata } = this.options;
    const [format, bits] = sampleFormatOf(this.sampleType);
    const offsetType = bigTiff ? FieldType.LONG8 : FieldType.LONG;
    const entries: IfdEntry[] = [
      { tag: 256, type: FieldType.LONG, values: [level.width] },
      { tag: 257, type: FieldType.LONG, values: [level.height] },
      { tag: 258, type: FieldType.SHORT, values: new Array<number>(bandCount).fill(bits) },
      { tag: 259, type: FieldType.SHORT, values: [8] },
      { tag: 262, type: FieldType.SHORT, values: [1] },
      { tag: 277, type: FieldType.SHORT, values: [bandCount] },
      { tag: 284, type: FieldType.SHORT, values: [1] },
      { tag: 317, type: FieldType.SHORT, values: [predictorFor(this.sampleType)] },
      { tag: 322, type: FieldType.SHORT, values: [this.tileSize] },
      { tag: 323, type: FieldType.SHORT, values: [this.tileSize] },
      { tag: 324, type: offsetType, values: offsets ?? Array.from(level.byteCounts, () => 0) },
      { tag: 325, type: offsetType, values: Array.from(level.byteCounts) },
      { tag: 339, type: FieldType.SHORT, values: new Array<number>(bandCount).fill(format) },
    ];
    if (levelIndex > 0) entries.push({ tag: 254, type: FieldType.LONG, values: [1] });
    if (bandCount > 1) entries.push({ tag: 338, type: FieldType.SHORT, values: new Array<number>(bandCount - 1).fill(0) });
    if (nodata !== undefined && nodata !== null) entries.push({ tag: 42113, type: FieldType.ASCII, values: formatNodata(nodata) });
    if (levelIndex === 0) {
      entries.push(...georeferenceTags(this.options.georeference));
      const items: Record<string, string> = {};
      for (const [name, value] of Object.entries(this.options.metadata ?? {})) {
        const tag = TIFF_TEXT_TAGS[name];
        if (tag) entries.push({ tag, type: FieldType.ASCII, values: value });
        else items[name] = value;
      }
      const xml = formatGdalMetadata(items, this.options.bandDescriptions ?? [], this.options.bandMetadata ?? []);
      if (xml) entries.push({ tag: 42112, type: FieldType.ASCII, values: xml });
    }
    return entries;
  }

  private headerBytes(bigTiff: boolean): number {
    const length = (bigTiff ? 16 : 8) + STRUCTURAL_METADATA.length;
    return length + (length & 1);
  }

  private layoutSize(bigTiff: boolean): { ifdStart: number; dataStart: number; total: number } {
    const ifdStart = this.headerBytes(bigTiff);
    let dataStart = ifdStart;
    for (let i = 0; i < this.levels.length; i++) dataStart += ifdByteLength(this.ifdEntries(i, bigTiff), bigTiff);
    const tileBytes = this.levels.reduce((sum, level) => sum + level.byteCounts.reduce((a, b) => a + b, 0) + level.byteCounts.length * (TILE_LEADER + TILE_TRAILER), 0);
    return { ifdStart, dataStart, total: dataStart + tileBytes };
  }

  async finish(): Promise<void> {
    if (this.state !== 'open') throw new AutocmError('COG writer is already finished or aborted', this.finalPath);
    this.state = 'finishing';
    try {
      await this.flushSpool();
      const full = this.levels[0];
      const missing = full.spoolOffsets.length - full.tilesDone;
      if (missing > 0) throw new AutocmError(`incomplete image: ${missing} of ${full.spoolOffsets.length} tiles were never fully written`, this.finalPath);
      const bigTiff = this.options.bigTiff === true || this.layoutSize(false).total > CLASSIC_TIFF_LIMIT;
      await writeAtomically(this.finalPath, (temporaryPath) => this.assemble(temporaryPath, bigTiff));
    } catch (error) {
      await this.removeSpool();
      this.state = 'done';
      throw error;
    }
    await this.removeSpool();
    this.state = 'done';
  }

  private async assemble(path: string, bigTiff: boolean): Promise<void> {
    const { ifdStart, dataStart } = this.layoutSize(bigTiff);
    // Tile data: smallest overview first, full resolution last; rows of tiles top to bottom.
    const tileOffsets = this.levels.map((level) => new Array<number>(level.byteCounts.length).fill(0));
    let cursor = dataStart;
    for (let l = this.levels.length - 1; l >= 0; l--) {
      this.levels[l].byteCounts.forEach((count, index) => {
        tileOffsets[l][index] = cursor + TILE_LEADER;
        cursor += TILE_LEADER + count + TILE_TRAILER;
      });
    }
    const out = await open(path, 'r+');
    let closed = false;
    try {
      const head: Buffer[] = [encodeHeader(ifdStart, bigTiff), Buffer.from(STRUCTURAL_METADATA, 'latin1')];
      if ((bigTiff ? 16 : 8) + STRUCTURAL_METADATA.length < ifdStart) head.push(Buffer.alloc(1));
      let ifdOffset = ifdStart;
      for (let l = 0; l < this.levels.length; l++) {
        const entries = this.ifdEntries(l, bigTiff, tileOffsets[l]);
        const length = ifdByteLength(entries, bigTiff);
        const next = l + 1 < this.levels.length ? ifdOffset + length : 0;
        head.push(encodeIfd(entries, ifdOffset, next, bigTiff));
        ifdOffset += length;
      }
      let position = 0;
      const append = async (chunks: Buffer[]): Promise<void> => {
        const buffer = Buffer.concat(chunks);
        await writeFully(out, buffer, position, this.finalPath);
        position += buffer.length;
      };
      await append(head);
      let batch: Buffer[] = [];
      let batchBytes = 0;
      for (let l = this.levels.length - 1; l >= 0; l--) {
        const level = this.levels[l];
        for (let index = 0; index < level.byteCounts.length; index++) {
          const count = level.byteCounts[index];
          const tile = Buffer.alloc(TILE_LEADER + count + TILE_TRAILER);
          tile.writeUInt32LE(count, 0);
          const { bytesRead } = await this.spool.read(tile, TILE_LEADER, count, level.spoolOffsets[index]);
          if (bytesRead !== count) throw new AutocmError(`temporary tile data ${this.spoolPath} holds ${bytesRead} of a tile's ${count} bytes`, this.finalPath);
          tile.copy(tile, TILE_LEADER + count, TILE_LEADER + count - 4, TILE_LEADER + count);
          batch.push(tile);
          batchBytes += tile.length;
          if (batchBytes >= 8 * 2 ** 20) {
            await append(batch);
            batch = [];
            batchBytes = 0;
          }
        }
      }
      await append(batch);
      if (position !== cursor) throw new Error(`internal layout error: wrote ${position} bytes, planned ${cursor}`);
      closed = true;
      await out.close().catch((error: unknown) => {
        throw asWriteError(error, this.finalPath);
      });
    } finally {
      if (!closed) await out.close().catch(() => undefined);
    }
  }

  private async removeSpool(): Promise<void> {
    await Promise.allSettled(this.spoolWrites);
    await this.spool.close().catch(() => undefined);
    await rm(this.spoolPath, { force: true });
    untrackTemporary(this.spoolPath);
  }

  async abort(): Promise<void> {
    if (this.state === 'done') return;
    this.state = 'done';
    for (const level of this.levels) level.pending.clear();
    await this.removeSpool();
  }
}

/**
 * Starts a streaming COG at `finalPath`: pass full-resolution windows to writeWindow (any order,
 * each pixel once), then finish(). Nothing appears under finalPath until finish() succeeds.
 */
export async function createCogWriter(finalPath: string, options: CogWriteOptions): Promise<CogWriter> {
  validateOptions(finalPath, options);
  const spoolPath = `${temporaryPathFor(finalPath)}.tiles`;
  await prepareOutputFolder(dirname(finalPath));
  let spool: FileHandle;
  try {
    createTrackedTemporary(spoolPath);
    spool = await open(spoolPath, 'r+');
  } catch (error) {
    untrackTemporary(spoolPath);
    throw new AutocmError(`cannot create a temporary file next to the output: ${describeFsError(error)}`, finalPath);
  }
  return new StreamingCogWriter(finalPath, options, spoolPath, spool);
}

/** Writes a whole image (band-sequential arrays of width*height values) as a COG, one row of tiles at a time. */
export async function writeCog(finalPath: string, options: CogWriteOptions, bands: TypedArray[]): Promise<void> {
  const writer = await createCogWriter(finalPath, options);
  try {
    const rows = options.blockSize ?? 512;
    for (let y = 0; y < options.height; y += rows) {
      const height = Math.min(rows, options.height - y);
      const start = y * options.width;
      const end = start + height * options.width;
      await writer.writeWindow({ window: { x: 0, y, width: options.width, height }, bands: bands.map((band) => band.subarray(start, end)) });
    }
    await writer.finish();
  } catch (error) {
    await writer.abort();
    throw error;
  }
}
