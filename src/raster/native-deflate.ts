/**
 * DEFLATE tiles decoded by Node's zlib (C, on libuv's thread pool) instead of geotiff.js's
 * pure-JS pako: the same bytes out, in about a third of the CPU time, and the blocks of one read
 * are inflated in parallel off the calling thread (docs/performance.md, item 2).
 */
import { promisify } from 'node:util';
import { inflate } from 'node:zlib';
import { addDecoder, BaseDecoder } from 'geotiff';

const inflateAsync = promisify(inflate);

export class NativeDeflateDecoder extends BaseDecoder {
  override async decodeBlock(buffer: ArrayBufferLike): Promise<ArrayBufferLike> {
    const out = await inflateAsync(new Uint8Array(buffer));
    // A Buffer may be a view into a larger pooled block: hand geotiff.js an ArrayBuffer of its own.
    return out.byteOffset === 0 && out.byteLength === out.buffer.byteLength ? out.buffer : out.buffer.slice(out.byteOffset, out.byteOffset + out.byteLength);
  }
}

let registered = false;

/** Makes geotiff.js use NativeDeflateDecoder for TIFF Compression 8 and 32946 (both DEFLATE). */
export function useNativeDeflate(): void {
  if (registered) return;
  registered = true;
  addDecoder([8, 32946], () => Promise.resolve(NativeDeflateDecoder));
}
