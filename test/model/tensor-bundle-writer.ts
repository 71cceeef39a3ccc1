/**
 * A minimal TensorBundle writer for tests (float32 tensors, one shard): a LevelDB table with
 * prefix-compressed keys and restart points, block trailers with masked CRC32C, a footer, and
 * hand-encoded BundleHeaderProto / BundleEntryProto. Written independently of the reader's
 * protobuf schema so that the two check each other.
 */
import { writeFileSync } from 'node:fs';
import protobuf from 'protobufjs';
import { crc32c, maskCrc32c } from '../../src/util/crc32c.js';

export interface WrittenTensor {
  key: string;
  shape: number[];
  values: Float32Array;
}

function varint(value: number): number[] {
  const out: number[] = [];
  while (value >= 0x80) {
    out.push((value % 128) | 0x80);
    value = Math.floor(value / 128);
  }
  out.push(value);
  return out;
}

function u32(value: number): number[] {
  return [value & 0xff, (value >>> 8) & 0xff, (value >>> 16) & 0xff, (value >>> 24) & 0xff];
}

function block(entries: { key: Uint8Array; value: Uint8Array }[], restartInterval = 16): number[] {
  const bytes: number[] = [];
  const restarts: number[] = [];
  let previous: Uint8Array = new Uint8Array(0);
  entries.forEach(({ key, value }, i) => {
    let shared = 0;
    if (i % restartInterval === 0) restarts.push(bytes.length);
    else while (shared < previous.length && shared < key.length && previous[shared] === key[shared]) shared++;
    bytes.push(...varint(shared), ...varint(key.length - shared), ...varint(value.length), ...key.subarray(shared), ...value);
    previous = key;
  });
  if (restarts.length === 0) restarts.push(0);
  for (const r of restarts) bytes.push(...u32(r));
  bytes.push(...u32(restarts.length));
  return bytes;
}

function withTrailer(file: number[], contents: number[]): { offset: number; size: number } {
  const offset = file.length;
  file.push(...contents, 0);
  const crc = maskCrc32c(crc32c(Uint8Array.from(file.slice(offset))));
  file.push(...u32(crc));
  return { offset, size: contents.length };
}

function entryProto(shape: number[], offset: number, size: number, crc: number): Uint8Array {
  const w = protobuf.Writer.create();
  w.uint32((1 << 3) | 0).int32(1); // dtype DT_FLOAT
  const shapeWriter = protobuf.Writer.create();
  for (const d of shape) shapeWriter.uint32((2 << 3) | 2).fork().uint32((1 << 3) | 0).int64(d).ldelim();
  w.uint32((2 << 3) | 2).bytes(shapeWriter.finish());
  w.uint32((4 << 3) | 0).int64(offset);
  w.uint32((5 << 3) | 0).int64(size);
  w.uint32((6 << 3) | 5).fixed32(crc);
  return w.finish();
}

function headerProto(): Uint8Array {
  return protobuf.Writer.create().uint32((1 << 3) | 0).int32(1).uint32((3 << 3) | 2).fork().uint32((1 << 3) | 0).int32(1).ldelim().finish();
}

/** Writes PREFIX.index and PREFIX.data-00000-of-00001. */
export function writeTensorBundle(prefix: string, tensors: WrittenTensor[]): void {
  const encoder = new TextEncoder();
  const sorted = [...tensors].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const data: Uint8Array[] = [];
  let offset = 0;
  const entries = [{ key: new Uint8Array(0), value: headerProto() }];
  for (const t of sorted) {
    const bytes = new Uint8Array(t.values.buffer, t.values.byteOffset, t.values.byteLength);
    entries.push({ key: encoder.encode(t.key), value: entryProto(t.shape, offset, bytes.length, maskCrc32c(crc32c(bytes))) });
    data.push(bytes);
    offset += bytes.length;
  }
  const file: number[] = [];
  const dataHandle = withTrailer(file, block(entries));
  const metaHandle = withTrailer(file, block([]));
  const lastKey = entries[entries.length - 1]!.key;
  const indexHandle = withTrailer(file, block([{ key: lastKey, value: Uint8Array.from([...varint(dataHandle.offset), ...varint(dataHandle.size)]) }], 1));
  const footer = [...varint(metaHandle.offset), ...varint(metaHandle.size), ...varint(indexHandle.offset), ...varint(indexHandle.size)];
  while (footer.length < 40) footer.push(0);
  footer.push(0x57, 0xfb, 0x80, 0x8b, 0x24, 0x75, 0x47, 0xdb);
  file.push(...footer);
  writeFileSync(`${prefix}.index`, Uint8Array.from(file));
  const all = new Uint8Array(offset);
  let position = 0;
  for (const d of data) {
    all.set(d, position);
    position += d.length;
  }
  writeFileSync(`${prefix}.data-00000-of-00001`, all);
}
