/**
 * A JPEG 2000 file (.jp2 / .j2k: one band, or up to 4 components on one grid, as MSK_CLASSI) as a RasterSource. A window is decoded from the tiles it
 * touches only (a sub-codestream of those tiles, see j2k-codestream.ts), at the resolution level
 * asked for (overviews are the codestream's resolution levels); decoded tiles are kept in a small
 * cache bounded in bytes, so predict's overlapping windows do not decode a tile twice and memory
 * stays bounded on 10980 x 10980 Sentinel-2 bands. Only the tile-parts needed are read from disk.
 */
import { open as openFile, stat, type FileHandle } from 'node:fs/promises';
import { AutocmError, isAutocmError } from '../../util/errors.js';
import type { RasterInfo, RasterSource, ReadOptions, TypedArray, Window, WindowData } from '../types.js';
import { blockArea, indexCodestream, tileBlockCodestream, tilesCovering, type CodestreamIndex } from './j2k-codestream.js';
import { readJp2Layout } from './jp2-boxes.js';
import { decodeJ2k, sampleTypeOfComponent } from './jp2-decoder.js';
import { jp2Georeference } from './jp2-georef.js';

/** Bytes of decoded tiles one open band file keeps. */
const CACHE_BYTES = 64 * 1024 * 1024;

interface DecodedTile {
  /** Area at its resolution level, in that level's absolute coordinates. */
  x0: number;
  y0: number;
  width: number;
  height: number;
  /** One array per component. */
  bands: TypedArray[];
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** ceil(v / 2^r): the reference-grid coordinate v at resolution level r. */
function atLevel(v: number, r: number): number {
  return Math.ceil(v / 2 ** r);
}

class Jp2Source implements RasterSource {
  private readonly cache = new Map<string, DecodedTile>();
  private cachedBytes = 0;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly info: RasterInfo,
    private readonly handle: FileHandle,
    private readonly index: CodestreamIndex,
    private readonly codestreamStart: number,
    private readonly levels: number,
  ) {}

  private read = async (offset: number, length: number): Promise<Uint8Array> => {
    const buffer = new Uint8Array(length);
    const { bytesRead } = await this.handle.read(buffer, 0, length, offset);
    return buffer.subarray(0, bytesRead);
  };

  private remember(key: string, tile: DecodedTile): void {
    const bytes = (t: DecodedTile) => t.bands.reduce((sum, b) => sum + b.byteLength, 0);
    this.cache.set(key, tile);
    this.cachedBytes += bytes(tile);
    for (const [oldKey, old] of this.cache) {
      if (this.cachedBytes <= CACHE_BYTES || oldKey === key) break;
      this.cache.delete(oldKey);
      this.cachedBytes -= bytes(old);
    }
  }

  private recall(key: string): DecodedTile | undefined {
    const tile = this.cache.get(key);
    if (tile) {
      this.cache.delete(key);
      this.cache.set(key, tile);
    }
    return tile;
  }

  /** Decodes the block of tiles b at level r, caches each tile of it and returns them by key (a window larger than the cache still gets every tile). */
  private async decodeBlock(b: { tx0: number; ty0: number; tx1: number; ty1: number }, r: number): Promise<Map<string, DecodedTile>> {
    const decodedTiles = new Map<string, DecodedTile>();
    const { header } = this.index;
    const whole = !header.windowable || header.tilesAcross * header.tilesDown === 1;
    const block = whole ? { tx0: 0, ty0: 0, tx1: header.tilesAcross - 1, ty1: header.tilesDown - 1 } : b;
    const area = blockArea(header, block);
    const codestream = whole
      ? await this.read(this.codestreamStart, this.index.tileParts.reduce((end, p) => Math.max(end, p.offset + p.length), 0) + 2)
      : await tileBlockCodestream(this.read, this.codestreamStart, this.index, block);
    const bx0 = atLevel(area.x0, r);
    const by0 = atLevel(area.y0, r);
    const width = atLevel(area.x1, r) - bx0;
    const height = atLevel(area.y1, r) - by0;
    const decoded = await decodeJ2k(codestream, r, { width, height });
    for (let ty = block.ty0; ty <= block.ty1; ty++) {
      for (let tx = block.tx0; tx <= block.tx1; tx++) {
        const t = blockArea(header, { tx0: tx, ty0: ty, tx1: tx, ty1: ty });
        const x0 = atLevel(t.x0, r);
        const y0 = atLevel(t.y0, r);
        const w = atLevel(t.x1, r) - x0;
        const h = atLevel(t.y1, r) - y0;
        if (w <= 0 || h <= 0) continue;
        const bands = decoded.bands.map((band) => {
          const Type = band.constructor as new (n: number) => TypedArray;
          const data = new Type(w * h);
          for (let row = 0; row < h; row++) {
            const from = (y0 - by0 + row) * width + (x0 - bx0);
            data.set(band.subarray(from, from + w), row * w);
          }
          return data;
        });
        const tile = { x0, y0, width: w, height: h, bands };
        decodedTiles.set(`${r}:${ty * header.tilesAcross + tx}`, tile);
        this.remember(`${r}:${ty * header.tilesAcross + tx}`, tile);
      }
    }
    return decodedTiles;
  }

  private async readBands(window: Window, r: number, wanted: number[]): Promise<TypedArray[]> {
    const { header } = this.index;
    const ox = atLevel(header.x0, r);
    const oy = atLevel(header.y0, r);
    const wx0 = ox + window.x;
    const wy0 = oy + window.y;
    const scale = 2 ** r;
    const tiles = tilesCovering(header, wx0 * scale, wy0 * scale, (wx0 + window.width) * scale, (wy0 + window.height) * scale);
    const key = (tx: number, ty: number) => `${r}:${ty * header.tilesAcross + tx}`;
    const missing: { tx: number; ty: number }[] = [];
    // Tiles of this window already decoded are held here, so decoding the others cannot evict them.
    const held = new Map<string, DecodedTile>();
    for (let ty = tiles.ty0; ty <= tiles.ty1; ty++) {
      for (let tx = tiles.tx0; tx <= tiles.tx1; tx++) {
        const tile = this.recall(key(tx, ty));
        if (tile) held.set(key(tx, ty), tile);
        else missing.push({ tx, ty });
      }
    }
    let fresh = new Map<string, DecodedTile>();
    if (missing.length > 0) {
      fresh = await this.decodeBlock(
        {
          tx0: Math.min(...missing.map((m) => m.tx)),
          ty0: Math.min(...missing.map((m) => m.ty)),
          tx1: Math.max(...missing.map((m) => m.tx)),
          ty1: Math.max(...missing.map((m) => m.ty)),
        },
        r,
      );
    }
    const Type = sampleTypeOfComponent(header.components[0].bits, header.components[0].signed);
    const make = (): TypedArray =>
      Type === 'uint8' ? new Uint8Array(window.width * window.height) : Type === 'int8' ? new Int8Array(window.width * window.height) : Type === 'int16' ? new Int16Array(window.width * window.height) : new Uint16Array(window.width * window.height);
    const out = wanted.map(make);
    for (let ty = tiles.ty0; ty <= tiles.ty1; ty++) {
      for (let tx = tiles.tx0; tx <= tiles.tx1; tx++) {
        const tile = fresh.get(key(tx, ty)) ?? held.get(key(tx, ty));
        if (!tile) throw new Error(`tile ${ty * header.tilesAcross + tx} was not decoded`);
        const cx0 = Math.max(tile.x0, wx0);
        const cx1 = Math.min(tile.x0 + tile.width, wx0 + window.width);
        const cy0 = Math.max(tile.y0, wy0);
        const cy1 = Math.min(tile.y0 + tile.height, wy0 + window.height);
        for (let y = cy0; y < cy1; y++) {
          const from = (y - tile.y0) * tile.width + (cx0 - tile.x0);
          wanted.forEach((band, k) => out[k].set(tile.bands[band].subarray(from, from + (cx1 - cx0)), (y - wy0) * window.width + (cx0 - wx0)));
        }
      }
    }
    return out;
  }

  async readWindow(window: Window, options: ReadOptions = {}): Promise<WindowData> {
    const source = this.info.source;
    const level = options.level ?? 0;
    if (!Number.isInteger(level) || level < 0 || level > this.levels) {
      throw new AutocmError(`overview level ${level} does not exist (the file has ${this.levels} overviews)`, source);
    }
    const size = level === 0 ? this.info : this.info.overviews[level - 1];
    const { x, y, width, height } = window;
    if (![x, y, width, height].every(Number.isInteger) || x < 0 || y < 0 || width <= 0 || height <= 0 || x + width > size.width || y + height > size.height) {
      throw new AutocmError(`window x=${x} y=${y} ${width}x${height} is outside the ${size.width}x${size.height} image (level ${level})`, source);
    }
    const wanted = options.bands ?? Array.from({ length: this.info.bandCount }, (_, b) => b);
    for (const band of wanted) {
      if (!Number.isInteger(band) || band < 0 || band >= this.info.bandCount) throw new AutocmError(`band index ${band} out of range (the file has ${this.info.bandCount} bands)`, source);
    }
    const task = this.queue.then(() => this.readBands(window, level, wanted));
    this.queue = task.catch(() => undefined);
    try {
      return { window: { ...window }, bands: await task };
    } catch (error) {
      if (isAutocmError(error)) throw error;
      throw new AutocmError(`corrupt JPEG 2000 data: cannot decode window x=${x} y=${y} ${width}x${height} (${messageOf(error)})`, source);
    }
  }

  async close(): Promise<void> {
    this.cache.clear();
    await this.handle.close().catch(() => undefined);
  }
}

export function isJpeg2000Path(path: string): boolean {
  return /\.(jp2|j2k|j2c|jpx)$/i.test(path.replace(/[?#].*$/, ''));
}

/** Opens a local JPEG 2000 band file: box layout, codestream index and georeferencing; no pixels yet. */
export async function openJp2(path: string): Promise<RasterSource> {
  let size: number;
  try {
    const stats = await stat(path);
    if (stats.isDirectory()) throw new AutocmError('is a directory, not a JPEG 2000 file', path);
    size = stats.size;
  } catch (error) {
    if (isAutocmError(error)) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new AutocmError(code === 'ENOENT' ? 'file not found' : `cannot open: ${messageOf(error)}`, path);
  }
  const handle = await openFile(path, 'r');
  try {
    const read = async (offset: number, length: number): Promise<Uint8Array> => {
      const buffer = new Uint8Array(Math.max(0, Math.min(length, size - offset)));
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, offset);
      return buffer.subarray(0, bytesRead);
    };
    const layout = await readJp2Layout(read, size);
    const index = await indexCodestream(read, layout.codestreamOffset, layout.codestreamLength);
    const { header } = index;
    const component = header.components[0];
    const sameGrid = header.components.every((c) => c.dx === component.dx && c.dy === component.dy && c.bits === component.bits && c.signed === component.signed);
    if (header.components.length > 4 || !sameGrid || component.dx !== 1 || component.dy !== 1) throw new AutocmError(`unsupported JPEG 2000 layout: ${header.components.length} components of different sizes or depths`, path);
    if (component.bits > 16) throw new AutocmError(`unsupported JPEG 2000 sample depth (${component.bits} bits)`, path);
    const width = header.x1 - header.x0;
    const height = header.y1 - header.y0;
    const overviews: RasterInfo['overviews'] = [];
    for (let r = 1; r <= header.decompositionLevels; r++) {
      const w = atLevel(header.x1, r) - atLevel(header.x0, r);
      const h = atLevel(header.y1, r) - atLevel(header.y0, r);
      if (Math.min(w, h) < 16) break;
      overviews.push({ width: w, height: h });
    }
    const georeference = await jp2Georeference(layout.geoJp2, layout.gml);
    const info: RasterInfo = {
      source: path,
      width,
      height,
      bandCount: header.components.length,
      sampleType: sampleTypeOfComponent(component.bits, component.signed),
      nodata: null,
      bandDescriptions: header.components.map(() => ''),
      bandMetadata: header.components.map(() => ({})),
      blockWidth: Math.min(header.tileWidth, width),
      blockHeight: Math.min(header.tileHeight, height),
      tiled: header.tilesAcross * header.tilesDown > 1,
      compression: 'jpeg2000',
      interleave: 'band',
      overviews,
      bigTiff: false,
      metadata: { JPEG2000_LAYERS: String(header.layers), JPEG2000_RESOLUTION_LEVELS: String(header.decompositionLevels + 1) },
      ...georeference,
    };
    return new Jp2Source(info, handle, index, layout.codestreamOffset, overviews.length);
  } catch (error) {
    await handle.close();
    if (isAutocmError(error)) throw error;
    throw new AutocmError(`corrupt JPEG 2000 file: ${messageOf(error)}`, path);
  }
}
