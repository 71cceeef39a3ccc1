/**
 * A JPEG 2000 codestream (ISO/IEC 15444-1 Annex A) indexed without decoding: the main header
 * (SIZ grid, COD decomposition levels and layers) and where each tile's tile-parts lie. From it,
 * `tileBlockCodestream` builds a smaller, valid codestream holding just a rectangle of tiles (SIZ
 * clipped to them, tiles renumbered), so a window is decoded from its own tiles only.
 */

/** Reads `length` bytes at `offset` of the codestream (fewer only at the end of the file). */
export type ByteReader = (offset: number, length: number) => Promise<Uint8Array>;

export interface CodestreamHeader {
  /** Image area on the reference grid: [x0, x1) x [y0, y1). */
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  tileWidth: number;
  tileHeight: number;
  tileOriginX: number;
  tileOriginY: number;
  tilesAcross: number;
  tilesDown: number;
  components: { bits: number; signed: boolean; dx: number; dy: number }[];
  decompositionLevels: number;
  layers: number;
  /** Main-header markers a tile subset cannot keep consistent (PPM): windowing is then off. */
  windowable: boolean;
}

export interface TilePart {
  tile: number;
  /** Byte offset of the SOT marker inside the codestream, and the tile-part length (Psot). */
  offset: number;
  length: number;
}

export interface CodestreamIndex {
  header: CodestreamHeader;
  /** Main header bytes (SOC up to the first SOT) without TLM/PLM markers, which a subset would falsify. */
  mainHeader: Uint8Array;
  /** Byte offset of the SIZ marker segment inside `mainHeader`. */
  sizOffset: number;
  tileParts: TilePart[];
}

export class CodestreamError extends Error {}

const SOC = 0xff4f;
const SIZ = 0xff51;
const COD = 0xff52;
const TLM = 0xff55;
const PLM = 0xff57;
const PPM = 0xff60;
const SOT = 0xff90;
const EOC = 0xffd9;

function u16(bytes: Uint8Array, at: number): number {
  return (bytes[at] << 8) | bytes[at + 1];
}

function u32(bytes: Uint8Array, at: number): number {
  return ((bytes[at] << 24) >>> 0) + (bytes[at + 1] << 16) + (bytes[at + 2] << 8) + bytes[at + 3];
}

function parseSiz(bytes: Uint8Array, at: number): Omit<CodestreamHeader, 'decompositionLevels' | 'layers' | 'windowable'> {
  const p = at + 4;
  const x1 = u32(bytes, p + 2);
  const y1 = u32(bytes, p + 6);
  const x0 = u32(bytes, p + 10);
  const y0 = u32(bytes, p + 14);
  const tileWidth = u32(bytes, p + 18);
  const tileHeight = u32(bytes, p + 22);
  const tileOriginX = u32(bytes, p + 26);
  const tileOriginY = u32(bytes, p + 30);
  const count = u16(bytes, p + 34);
  const components = [];
  for (let c = 0; c < count; c++) {
    const s = bytes[p + 36 + 3 * c];
    components.push({ bits: (s & 0x7f) + 1, signed: (s & 0x80) !== 0, dx: bytes[p + 37 + 3 * c], dy: bytes[p + 38 + 3 * c] });
  }
  if (x1 <= x0 || y1 <= y0 || tileWidth === 0 || tileHeight === 0 || count === 0) throw new CodestreamError('invalid SIZ marker (empty image or tiles)');
  return {
    x0,
    y0,
    x1,
    y1,
    tileWidth,
    tileHeight,
    tileOriginX,
    tileOriginY,
    tilesAcross: Math.ceil((x1 - tileOriginX) / tileWidth),
    tilesDown: Math.ceil((y1 - tileOriginY) / tileHeight),
    components,
  };
}

/** Indexes a codestream that starts at `start` of the file and is `length` bytes long. */
export async function indexCodestream(read: ByteReader, start: number, length: number): Promise<CodestreamIndex> {
  const headBytes = await read(start, Math.min(length, 65536));
  let head = headBytes;
  if (u16(head, 0) !== SOC) throw new CodestreamError('no JPEG 2000 codestream (SOC marker missing)');
  let at = 2;
  const kept: Uint8Array[] = [head.subarray(0, 2)];
  let keptLength = 2;
  let sizOffset = -1;
  let siz: ReturnType<typeof parseSiz> | null = null;
  let decompositionLevels = 0;
  let layers = 1;
  let windowable = true;
  for (;;) {
    if (at + 4 > head.length) {
      if (head.length >= length) throw new CodestreamError('truncated codestream: the main header has no end');
      head = await read(start, Math.min(length, head.length * 4));
      continue;
    }
    const marker = u16(head, at);
    if (marker === SOT) break;
    if ((marker & 0xff00) !== 0xff00) throw new CodestreamError(`corrupt main header: no marker at byte ${at}`);
    const segment = u16(head, at + 2) + 2;
    if (at + segment > head.length) {
      if (head.length >= length) throw new CodestreamError('truncated codestream: a main-header marker runs past the end');
      head = await read(start, Math.min(length, Math.max(head.length * 4, at + segment + 16)));
      continue;
    }
    if (marker === SIZ) {
      siz = parseSiz(head, at);
      sizOffset = keptLength;
    } else if (marker === COD) {
      layers = u16(head, at + 6);
      decompositionLevels = head[at + 9];
    } else if (marker === PPM) windowable = false;
    if (marker !== TLM && marker !== PLM) {
      kept.push(head.subarray(at, at + segment));
      keptLength += segment;
    }
    at += segment;
  }
  if (!siz) throw new CodestreamError('corrupt main header: no SIZ marker');
  const mainHeader = new Uint8Array(keptLength);
  let o = 0;
  for (const part of kept) {
    mainHeader.set(part, o);
    o += part.length;
  }
  const tileParts: TilePart[] = [];
  const tileCount = siz.tilesAcross * siz.tilesDown;
  let position = at;
  while (position + 2 <= length) {
    const sot = await read(start + position, 12);
    if (sot.length >= 2 && u16(sot, 0) === EOC) break;
    if (sot.length < 12 || u16(sot, 0) !== SOT) throw new CodestreamError(`corrupt codestream: no tile-part (SOT marker) at byte ${position}`);
    const tile = u16(sot, 4);
    let partLength = u32(sot, 6);
    if (tile >= tileCount) throw new CodestreamError(`corrupt codestream: tile index ${tile} beyond the ${tileCount} tiles`);
    if (partLength === 0) partLength = length - position;
    if (partLength < 14) throw new CodestreamError(`corrupt codestream: tile-part of tile ${tile} is ${partLength} bytes`);
    if (position + partLength > length) {
      throw new CodestreamError(`truncated codestream: tile ${tile} runs to byte ${position + partLength} of a ${length}-byte codestream`);
    }
    tileParts.push({ tile, offset: position, length: partLength });
    position += partLength;
  }
  const seen = new Set(tileParts.map((p) => p.tile));
  if (seen.size < tileCount) throw new CodestreamError(`truncated codestream: ${tileCount - seen.size} of ${tileCount} tiles are missing`);
  return { header: { ...siz, decompositionLevels, layers, windowable }, mainHeader, sizOffset, tileParts };
}

/** The tiles [tx0, tx1] x [ty0, ty1] (inclusive) covering a full-resolution area [x0, x1) x [y0, y1) of the reference grid. */
export function tilesCovering(header: CodestreamHeader, x0: number, y0: number, x1: number, y1: number): { tx0: number; ty0: number; tx1: number; ty1: number } {
  const clampX = (v: number) => Math.max(0, Math.min(header.tilesAcross - 1, v));
  const clampY = (v: number) => Math.max(0, Math.min(header.tilesDown - 1, v));
  return {
    tx0: clampX(Math.floor((x0 - header.tileOriginX) / header.tileWidth)),
    ty0: clampY(Math.floor((y0 - header.tileOriginY) / header.tileHeight)),
    tx1: clampX(Math.floor((x1 - 1 - header.tileOriginX) / header.tileWidth)),
    ty1: clampY(Math.floor((y1 - 1 - header.tileOriginY) / header.tileHeight)),
  };
}

/** The reference-grid area of a block of tiles (clipped to the image). */
export function blockArea(header: CodestreamHeader, b: { tx0: number; ty0: number; tx1: number; ty1: number }): { x0: number; y0: number; x1: number; y1: number } {
  return {
    x0: Math.max(header.x0, header.tileOriginX + b.tx0 * header.tileWidth),
    y0: Math.max(header.y0, header.tileOriginY + b.ty0 * header.tileHeight),
    x1: Math.min(header.x1, header.tileOriginX + (b.tx1 + 1) * header.tileWidth),
    y1: Math.min(header.y1, header.tileOriginY + (b.ty1 + 1) * header.tileHeight),
  };
}

function putU32(bytes: Uint8Array, at: number, value: number): void {
  bytes[at] = (value >>> 24) & 0xff;
  bytes[at + 1] = (value >>> 16) & 0xff;
  bytes[at + 2] = (value >>> 8) & 0xff;
  bytes[at + 3] = value & 0xff;
}

/**
 * A codestream of the tiles [tx0, tx1] x [ty0, ty1] alone: the SIZ image area becomes their area
 * and the tile grid starts at the first of them, so tile (tx, ty) becomes tile
 * (ty - ty0) * columns + (tx - tx0). Reference-grid coordinates (and so code-block and precinct
 * partitions) are unchanged, so each tile decodes to exactly the same samples.
 */
export async function tileBlockCodestream(read: ByteReader, start: number, index: CodestreamIndex, b: { tx0: number; ty0: number; tx1: number; ty1: number }): Promise<Uint8Array> {
  const { header } = index;
  const area = blockArea(header, b);
  const columns = b.tx1 - b.tx0 + 1;
  const parts = index.tileParts.filter((p) => {
    const tx = p.tile % header.tilesAcross;
    const ty = Math.floor(p.tile / header.tilesAcross);
    return tx >= b.tx0 && tx <= b.tx1 && ty >= b.ty0 && ty <= b.ty1;
  });
  const total = index.mainHeader.length + parts.reduce((sum, p) => sum + p.length, 0) + 2;
  const out = new Uint8Array(total);
  out.set(index.mainHeader, 0);
  const siz = index.sizOffset + 4;
  putU32(out, siz + 2, area.x1);
  putU32(out, siz + 6, area.y1);
  putU32(out, siz + 10, area.x0);
  putU32(out, siz + 14, area.y0);
  putU32(out, siz + 26, header.tileOriginX + b.tx0 * header.tileWidth);
  putU32(out, siz + 30, header.tileOriginY + b.ty0 * header.tileHeight);
  let at = index.mainHeader.length;
  for (const part of parts) {
    const bytes = await read(start + part.offset, part.length);
    if (bytes.length < part.length) throw new CodestreamError(`truncated codestream: tile ${part.tile} is cut short`);
    out.set(bytes, at);
    const tx = part.tile % header.tilesAcross;
    const ty = Math.floor(part.tile / header.tilesAcross);
    const renumbered = (ty - b.ty0) * columns + (tx - b.tx0);
    out[at + 4] = renumbered >> 8;
    out[at + 5] = renumbered & 0xff;
    putU32(out, at + 6, part.length);
    at += part.length;
  }
  out[at] = 0xff;
  out[at + 1] = 0xd9;
  return out;
}
