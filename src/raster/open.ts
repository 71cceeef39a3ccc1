/** Opens local or HTTP(S) GeoTIFFs with geotiff.js and reads windows without loading the whole file. */
import { open as openFile, stat, type FileHandle } from 'node:fs/promises';
import { fromFile, fromUrl, type GeoTIFF, type GeoTIFFImage } from 'geotiff';
import { AutocmError, isAutocmError } from '../util/errors.js';
import { readWindowByBlocks } from './block-window.js';
import { useNativeDeflate } from './native-deflate.js';
import { useFastLzw } from './fast-lzw.js';
import { isJpeg2000Path, openJp2 } from './products/jp2-source.js';
import { isGmlMaskPath, openGmlMask } from './products/sentinel2-gml-mask.js';
import { isTarMemberPath, openTarMemberTiff } from './products/tar-geotiff.js';
import { epsgOf, parseGeoKeys } from './tiff-geokeys.js';
import {
  compressionName,
  compressionNames,
  decodableCompressions,
  geoTransformFromTags,
  parseGdalMetadata,
  parseNodata,
  sampleTypeOf,
} from './tiff-tags.js';
import type { RasterInfo, RasterSource, ReadOptions, TypedArray, Window, WindowData } from './types.js';

useNativeDeflate();
useFastLzw();

export function isUrl(source: string): boolean {
  return /^https?:\/\//i.test(source);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Checks a local path before geotiff.js sees it, so the common mistakes get a plain message. */
async function checkLocalFile(path: string): Promise<number> {
  let size: number;
  try {
    const stats = await stat(path);
    if (stats.isDirectory()) throw new AutocmError('is a directory, not a TIFF file', path);
    size = stats.size;
  } catch (error) {
    if (isAutocmError(error)) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new AutocmError('file not found', path);
    if (code === 'EACCES') throw new AutocmError('permission denied', path);
    throw new AutocmError(`cannot open: ${messageOf(error)}`, path);
  }
  if (size < 8) throw new AutocmError(`not a TIFF file (only ${size} bytes)`, path);
  const handle = await openFile(path, 'r');
  try {
    const header = Buffer.alloc(16);
    await handle.read(header, 0, 16, 0);
    const order = header.toString('latin1', 0, 2);
    const magic = order === 'II' ? header.readUInt16LE(2) : order === 'MM' ? header.readUInt16BE(2) : -1;
    if (magic !== 42 && magic !== 43) throw new AutocmError('not a TIFF file (no TIFF header)', path);
    await checkDirectoryChain(handle, header, size, path);
  } finally {
    await handle.close();
  }
  return size;
}

/** More image directories than any raster we read has (a COG: a few levels and masks); a bound on a loop. */
export const MAX_DIRECTORIES = 1000;

function tooManyDirectories(path: string): AutocmError {
  return new AutocmError(`corrupt TIFF: more than ${MAX_DIRECTORIES} image directories (a loop in the directory chain?)`, path);
}

/**
 * Follows the chain of image directories (entry count, entries, next pointer) and fails if one runs
 * past the end of the file: geotiff.js would read zeros there and report a meaningless error.
 */
async function checkDirectoryChain(handle: FileHandle, header: Buffer, size: number, path: string): Promise<void> {
  const little = header.toString('latin1', 0, 2) === 'II';
  const bigTiff = (little ? header.readUInt16LE(2) : header.readUInt16BE(2)) === 43;
  const read = async (offset: number, bytes: 2 | 4 | 8): Promise<number> => {
    const buffer = Buffer.alloc(bytes);
    await handle.read(buffer, 0, bytes, offset);
    if (bytes === 2) return little ? buffer.readUInt16LE(0) : buffer.readUInt16BE(0);
    if (bytes === 4) return little ? buffer.readUInt32LE(0) : buffer.readUInt32BE(0);
    return Number(little ? buffer.readBigUInt64LE(0) : buffer.readBigUInt64BE(0));
  };
  const truncated = (offset: number): AutocmError =>
    new AutocmError(`truncated TIFF: an image directory at byte ${offset} runs past the end of the file (${size} bytes)`, path);
  let offset = bigTiff ? await read(8, 8) : await read(4, 4);
  const seen = new Set<number>();
  while (offset !== 0) {
    if (seen.has(offset)) throw new AutocmError(`corrupt TIFF: the chain of image directories loops back to byte ${offset}`, path);
    if (seen.size >= MAX_DIRECTORIES) throw tooManyDirectories(path);
    seen.add(offset);
    const countBytes = bigTiff ? 8 : 2;
    if (offset + countBytes > size) throw truncated(offset);
    const count = await read(offset, bigTiff ? 8 : 2);
    const linkAt = offset + countBytes + count * (bigTiff ? 20 : 12);
    if (linkAt + (bigTiff ? 8 : 4) > size) throw truncated(offset);
    offset = await read(linkAt, bigTiff ? 8 : 4);
  }
}

/** Explains why a URL could not be opened: the HTTP status, or the network error. */
async function diagnoseUrl(url: string, signal?: AbortSignal): Promise<string | null> {
  try {
    const response = await fetch(url, { headers: { Range: 'bytes=0-3' }, signal });
    if (!response.ok) return `HTTP ${response.status} ${response.statusText}`.trim();
    const bytes = new Uint8Array(await response.arrayBuffer());
    const order = String.fromCharCode(bytes[0] ?? 0, bytes[1] ?? 0);
    if (order !== 'II' && order !== 'MM') return 'not a TIFF file (no TIFF header)';
    if (response.status !== 206) return 'server does not support HTTP range requests';
    return null;
  } catch (error) {
    const cause = (error as { cause?: unknown }).cause;
    return `cannot connect: ${messageOf(cause ?? error)}`;
  }
}

async function openTiff(source: string, signal?: AbortSignal): Promise<{ tiff: GeoTIFF; fileSize: number | null }> {
  if (isTarMemberPath(source)) return openTarMemberTiff(source, signal);
  if (isUrl(source)) {
    try {
      return { tiff: await fromUrl(source, { allowFullFile: false }, signal), fileSize: null };
    } catch (error) {
      const reason = (await diagnoseUrl(source, signal)) ?? messageOf(error);
      throw new AutocmError(`cannot read remote TIFF: ${reason}`, source);
    }
  }
  const fileSize = await checkLocalFile(source);
  try {
    return { tiff: await fromFile(source, signal), fileSize };
  } catch (error) {
    if (isAutocmError(error)) throw error;
    throw new AutocmError(`corrupt TIFF: ${messageOf(error)}`, source);
  }
}

interface Level {
  image: GeoTIFFImage;
  width: number;
  height: number;
}

async function tagNumbers(image: GeoTIFFImage, name: string): Promise<number[] | undefined> {
  const value = (await image.fileDirectory.loadValue(name as never)) as unknown;
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number') return [value];
  if (typeof value === 'bigint') return [Number(value)];
  return Array.from(value as ArrayLike<number | bigint>, Number);
}

async function tagString(image: GeoTIFFImage, name: string): Promise<string | undefined> {
  const value = (await image.fileDirectory.loadValue(name as never)) as unknown;
  if (value === undefined || value === null) return undefined;
  return String(value).replace(/\0+$/, '');
}

/** Byte where this image's last tile or strip ends (to detect truncated files). */
async function dataEnd(image: GeoTIFFImage): Promise<number> {
  const tiled = image.fileDirectory.hasTag('TileOffsets');
  const offsets = await tagNumbers(image, tiled ? 'TileOffsets' : 'StripOffsets');
  const counts = await tagNumbers(image, tiled ? 'TileByteCounts' : 'StripByteCounts');
  let end = 0;
  if (!offsets || !counts) return end;
  for (let i = 0; i < offsets.length; i++) if (counts[i] > 0) end = Math.max(end, offsets[i] + counts[i]);
  return end;
}

async function describe(source: string, tiff: GeoTIFF, levels: Level[]): Promise<RasterInfo> {
  const image = levels[0].image;
  const directory = image.fileDirectory;
  const bandCount = image.getSamplesPerPixel();
  const formats = (await tagNumbers(image, 'SampleFormat')) ?? [1];
  const bits = (await tagNumbers(image, 'BitsPerSample')) ?? [1];
  const sampleType = sampleTypeOf(formats[0], bits[0]);
  const uniform = formats.every((f) => f === formats[0]) && bits.every((b) => b === bits[0]);
  if (!sampleType || !uniform) {
    throw new AutocmError(`unsupported sample type (SampleFormat ${formats.join(',')}, BitsPerSample ${bits.join(',')})`, source);
  }
  const compressionCode = ((await tagNumbers(image, 'Compression')) ?? [1])[0];
  const gdal = parseGdalMetadata(await tagString(image, 'GDAL_METADATA'), bandCount);
  const metadata: Record<string, string> = {};
  for (const [tag, key] of [
    ['DateTime', 'TIFFTAG_DATETIME'],
    ['ImageDescription', 'TIFFTAG_IMAGEDESCRIPTION'],
    ['Software', 'TIFFTAG_SOFTWARE'],
  ] as const) {
    const value = await tagString(image, tag);
    if (value) metadata[key] = value;
  }
  Object.assign(metadata, gdal.dataset);
  const geoKeys = parseGeoKeys(
    await tagNumbers(image, 'GeoKeyDirectory'),
    await tagNumbers(image, 'GeoDoubleParams'),
    await tagString(image, 'GeoAsciiParams'),
  );
  const pixelIsPoint = geoKeys?.GTRasterTypeGeoKey === 2;
  const tiled = directory.hasTag('TileOffsets');
  return {
    source,
    width: image.getWidth(),
    height: image.getHeight(),
    bandCount,
    sampleType,
    nodata: parseNodata(await tagString(image, 'GDAL_NODATA')),
    bandDescriptions: gdal.descriptions,
    bandMetadata: gdal.bands,
    blockWidth: image.getTileWidth(),
    blockHeight: tiled ? image.getTileHeight() : Math.min(image.getTileHeight(), image.getHeight()),
    tiled,
    compression: compressionName(compressionCode),
    interleave: image.planarConfiguration === 2 ? 'band' : 'pixel',
    overviews: levels.slice(1).map(({ width, height }) => ({ width, height })),
    bigTiff: tiff.bigTiff,
    metadata,
    geoTransform: geoTransformFromTags(
      await tagNumbers(image, 'ModelPixelScale'),
      await tagNumbers(image, 'ModelTiepoint'),
      await tagNumbers(image, 'ModelTransformation'),
      pixelIsPoint,
    ),
    epsg: epsgOf(geoKeys),
    geoKeys,
  };
}

/** Full resolution first, then the reduced-resolution images (NewSubfileType bit 1), skipping masks (bit 4). */
async function findLevels(tiff: GeoTIFF, source: string): Promise<Level[]> {
  const levels: Level[] = [];
  // Not tiff.getImageCount(): it follows the directory chain without end when the chain loops
  // (a remote file is not checked by checkDirectoryChain); the index is bounded here.
  for (let index = 0; ; index++) {
    if (index >= MAX_DIRECTORIES) throw tooManyDirectories(source);
    let image: GeoTIFFImage;
    try {
      image = await tiff.getImage(index);
    } catch (error) {
      if (index > 0 && /^No image at index/.test(messageOf(error))) break;
      throw error;
    }
    const subfileType = ((await tagNumbers(image, 'NewSubfileType')) ?? [0])[0];
    const isMask = (subfileType & 4) !== 0;
    const isReduced = (subfileType & 1) !== 0;
    if (index === 0 || (isReduced && !isMask)) levels.push({ image, width: image.getWidth(), height: image.getHeight() });
  }
  return levels;
}

async function checkCompressions(source: string, levels: Level[]): Promise<void> {
  for (const { image } of levels) {
    const code = ((await tagNumbers(image, 'Compression')) ?? [1])[0];
    if (!decodableCompressions.has(code)) {
      const name = code in compressionNames ? `${compressionNames[code].toUpperCase()} (TIFF code ${code})` : `with unknown TIFF code ${code}`;
      throw new AutocmError(`unsupported compression ${name}; re-encode it, e.g. gdal_translate -co COMPRESS=DEFLATE`, source);
    }
  }
}

async function checkComplete(source: string, levels: Level[], fileSize: number): Promise<void> {
  for (const { image } of levels) {
    const end = await dataEnd(image);
    if (end > fileSize) throw new AutocmError(`truncated TIFF: image data runs to byte ${end} but the file has only ${fileSize} bytes`, source);
  }
}

function checkWindow(source: string, window: Window, level: Level, levelIndex: number): void {
  const { x, y, width, height } = window;
  const valid =
    [x, y, width, height].every(Number.isInteger) && x >= 0 && y >= 0 && width > 0 && height > 0 && x + width <= level.width && y + height <= level.height;
  if (!valid) {
    throw new AutocmError(`window x=${x} y=${y} ${width}x${height} is outside the ${level.width}x${level.height} image (level ${levelIndex})`, source);
  }
}

class GeoTiffSource implements RasterSource {
  constructor(
    readonly info: RasterInfo,
    private readonly tiff: GeoTIFF,
    private readonly levels: Level[],
  ) {}

  async readWindow(window: Window, options: ReadOptions = {}): Promise<WindowData> {
    const source = this.info.source;
    const levelIndex = options.level ?? 0;
    const level = this.levels[levelIndex];
    if (!level) throw new AutocmError(`overview level ${levelIndex} does not exist (the file has ${this.levels.length - 1} overviews)`, source);
    checkWindow(source, window, level, levelIndex);
    const bands = options.bands ?? Array.from({ length: this.info.bandCount }, (_, b) => b);
    for (const band of bands) {
      if (!Number.isInteger(band) || band < 0 || band >= this.info.bandCount) {
        throw new AutocmError(`band index ${band} out of range (the file has ${this.info.bandCount} bands)`, source);
      }
    }
    try {
      const direct = await readWindowByBlocks(level.image, window, bands, options.signal);
      if (direct) return { window: { ...window }, bands: direct };
      const rasters = await level.image.readRasters({
        window: [window.x, window.y, window.x + window.width, window.y + window.height],
        samples: bands,
        interleave: false,
        signal: options.signal,
      });
      return { window: { ...window }, bands: Array.from(rasters as TypedArray[]) };
    } catch (error) {
      if (options.signal?.aborted) throw error;
      throw new AutocmError(`corrupt image data: cannot decode window x=${window.x} y=${window.y} ${window.width}x${window.height} (${messageOf(error)})`, source);
    }
  }

  async close(): Promise<void> {
    await this.tiff.close();
  }
}

/**
 * Opens a GeoTIFF or COG from a local path or an HTTP(S) URL (range requests), or a local JPEG 2000
 * band file (products/jp2-source.ts). Only the header and
 * image directories are read here; pixels are fetched per window by readWindow.
 */
export async function openRaster(source: string, options: { signal?: AbortSignal } = {}): Promise<RasterSource> {
  if (isGmlMaskPath(source)) return openGmlMask(source);
  if (isJpeg2000Path(source)) {
    if (isUrl(source)) throw new AutocmError('JPEG 2000 is read from local files only: download it first', source);
    return openJp2(source);
  }
  const { tiff, fileSize } = await openTiff(source, options.signal);
  try {
    const levels = await findLevels(tiff, source);
    await checkCompressions(source, levels);
    if (fileSize !== null) await checkComplete(source, levels, fileSize);
    const info = await describe(source, tiff, levels);
    return new GeoTiffSource(info, tiff, levels);
  } catch (error) {
    await tiff.close();
    if (isAutocmError(error) || options.signal?.aborted) throw error;
    throw new AutocmError(`corrupt TIFF: ${messageOf(error)}`, source);
  }
}

/** The first NaN or +-Infinity in band-sequential data, or null when every value is finite. */
export function findNonFinite(bands: TypedArray[]): { band: number; index: number } | null {
  for (let band = 0; band < bands.length; band++) {
    const data = bands[band];
    if (!(data instanceof Float32Array || data instanceof Float64Array)) continue;
    for (let index = 0; index < data.length; index++) {
      if (!Number.isFinite(data[index])) return { band, index };
    }
  }
  return null;
}
