/**
 * The boxes of a JP2 file (ISO/IEC 15444-1 Annex I) that autocm needs: where the codestream
 * (jp2c) lies, the GeoJP2 UUID box (a degenerate GeoTIFF carrying the georeferencing) and the
 * GMLJP2 XML (what Sentinel-2 products carry). A raw codestream (.j2k) is accepted too.
 */
import type { ByteReader } from './j2k-codestream.js';
import { CodestreamError } from './j2k-codestream.js';

export interface Jp2Layout {
  codestreamOffset: number;
  codestreamLength: number;
  /** The TIFF bytes of a GeoJP2 box, or null. */
  geoJp2: Uint8Array | null;
  /** GML XML text of a GMLJP2 association, or null. */
  gml: string | null;
  /** Text of XML boxes (Sentinel-2 carries none usually; kept for metadata). */
  xml: string[];
}

const GEOJP2_UUID = 'b14bf8bd083d4b43a5ae8cd7d5a6ce03';

function u32(bytes: Uint8Array, at: number): number {
  return ((bytes[at] << 24) >>> 0) + (bytes[at + 1] << 16) + (bytes[at + 2] << 8) + bytes[at + 3];
}

function typeOf(bytes: Uint8Array, at: number): string {
  return String.fromCharCode(bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]);
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Text boxes inside an association box (GMLJP2: asoc > lbl "gml.data" > asoc > lbl + xml). */
function collectXml(bytes: Uint8Array, out: string[]): void {
  let at = 0;
  while (at + 8 <= bytes.length) {
    let length = u32(bytes, at);
    const type = typeOf(bytes, at + 4);
    if (length === 0) length = bytes.length - at;
    if (length < 8 || at + length > bytes.length) return;
    const body = bytes.subarray(at + 8, at + length);
    if (type === 'asoc') collectXml(body, out);
    else if (type === 'xml ') out.push(new TextDecoder().decode(body));
    at += length;
  }
}

/** Reads the box layout of a JP2 file of `size` bytes (or treats a bare codestream as one). */
export async function readJp2Layout(read: ByteReader, size: number): Promise<Jp2Layout> {
  const first = await read(0, 12);
  if (first.length >= 2 && first[0] === 0xff && first[1] === 0x4f) return { codestreamOffset: 0, codestreamLength: size, geoJp2: null, gml: null, xml: [] };
  if (first.length < 12 || typeOf(first, 4) !== 'jP  ') throw new CodestreamError('not a JPEG 2000 file (no JP2 signature box)');
  const layout: Jp2Layout = { codestreamOffset: -1, codestreamLength: 0, geoJp2: null, gml: null, xml: [] };
  let at = 0;
  while (at + 8 <= size) {
    const head = await read(at, 16);
    if (head.length < 8) break;
    let length = u32(head, 0);
    const type = typeOf(head, 4);
    let headerLength = 8;
    if (length === 1) {
      length = u32(head, 8) * 2 ** 32 + u32(head, 12);
      headerLength = 16;
    } else if (length === 0) length = size - at;
    if (length < headerLength) throw new CodestreamError(`corrupt JP2 box "${type}" at byte ${at}`);
    if (type === 'jp2c') {
      layout.codestreamOffset = at + headerLength;
      layout.codestreamLength = Math.min(length, size - at) - headerLength;
      if (at + length > size) throw new CodestreamError(`truncated JPEG 2000 file: the codestream box runs to byte ${at + length} but the file has ${size} bytes`);
    } else if ((type === 'uuid' || type === 'asoc' || type === 'xml ') && length < 16 * 1024 * 1024) {
      const body = await read(at + headerLength, length - headerLength);
      if (type === 'uuid' && hex(body.subarray(0, 16)) === GEOJP2_UUID) layout.geoJp2 = body.slice(16);
      else if (type === 'xml ') layout.xml.push(new TextDecoder().decode(body));
      else if (type === 'asoc') {
        const texts: string[] = [];
        collectXml(body, texts);
        layout.gml = texts.find((t) => /FeatureCollection|RectifiedGrid/.test(t)) ?? layout.gml;
      }
    }
    at += length;
  }
  if (layout.codestreamOffset < 0) throw new CodestreamError('no codestream box (jp2c) in the JPEG 2000 file');
  return layout;
}
