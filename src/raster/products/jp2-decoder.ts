/**
 * JPEG 2000 decoding with OpenJPEG compiled to WebAssembly (@cornerstonejs/codec-openjpeg, the
 * decode-only build): one module per process, one decoder object per call, deleted afterwards.
 * `reduce` picks a resolution level (0 = full, 1 = half, ...), as OpenJPEG's cp_reduce.
 */
import { createRequire } from 'node:module';
import type { SampleType, TypedArray } from '../types.js';

interface FrameInfo {
  width: number;
  height: number;
  bitsPerSample: number;
  componentCount: number;
  isSigned: boolean;
}

interface J2KDecoder {
  getEncodedBuffer(length: number): Uint8Array;
  getDecodedBuffer(): Uint8Array;
  decode(): void;
  decodeSubResolution(level: number, layer: number): void;
  getFrameInfo(): FrameInfo;
  delete(): void;
}

interface OpenJpegModule {
  J2KDecoder: new () => J2KDecoder;
}

let modulePromise: Promise<OpenJpegModule> | null = null;

function openJpeg(): Promise<OpenJpegModule> {
  if (!modulePromise) {
    const require = createRequire(import.meta.url);
    const factory = require('@cornerstonejs/codec-openjpeg/decodewasmjs') as (options: object) => Promise<OpenJpegModule>;
    // OpenJPEG's [INFO] lines go to print; its errors arrive as the thrown exception.
    modulePromise = factory({ print: () => undefined, printErr: () => undefined });
  }
  return modulePromise;
}

export interface DecodedImage {
  width: number;
  height: number;
  sampleType: SampleType;
  /** One array per component (OpenJPEG's interleaved output split band by band). */
  bands: TypedArray[];
}

export function sampleTypeOfComponent(bits: number, signed: boolean): SampleType {
  if (bits <= 8) return signed ? 'int8' : 'uint8';
  return signed ? 'int16' : 'uint16';
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === 'string') return error;
  return 'OpenJPEG failed to decode the codestream';
}

/** Decodes a (JP2 or raw) codestream at resolution `reduce`; `size` is the expected output size. */
export async function decodeJ2k(codestream: Uint8Array, reduce: number, size: { width: number; height: number }): Promise<DecodedImage> {
  const module = await openJpeg();
  const decoder = new module.J2KDecoder();
  try {
    decoder.getEncodedBuffer(codestream.length).set(codestream);
    try {
      if (reduce > 0) decoder.decodeSubResolution(reduce, 0);
      else decoder.decode();
    } catch (error) {
      throw new Error(`JPEG 2000 decoding failed: ${describe(error)}`);
    }
    const frame = decoder.getFrameInfo();
    const sampleType = sampleTypeOfComponent(frame.bitsPerSample, frame.isSigned);
    const decoded = decoder.getDecodedBuffer();
    const bytesPerSample = frame.bitsPerSample <= 8 ? 1 : 2;
    const count = frame.componentCount;
    const pixels = size.width * size.height;
    if (decoded.length !== pixels * count * bytesPerSample) {
      throw new Error(`JPEG 2000 decoding gave ${decoded.length} bytes, expected ${size.width} x ${size.height} x ${count} samples (truncated or corrupt codestream)`);
    }
    const copy = decoded.slice();
    const all: TypedArray =
      sampleType === 'uint8' ? copy : sampleType === 'int8' ? new Int8Array(copy.buffer) : sampleType === 'int16' ? new Int16Array(copy.buffer) : new Uint16Array(copy.buffer);
    if (count === 1) return { width: size.width, height: size.height, sampleType, bands: [all] };
    const Type = all.constructor as new (n: number) => TypedArray;
    const bands = Array.from({ length: count }, () => new Type(pixels));
    for (let i = 0, k = 0; i < pixels; i++) for (let c = 0; c < count; c++, k++) bands[c][i] = all[k];
    return { width: size.width, height: size.height, sampleType, bands };
  } finally {
    decoder.delete();
  }
}
