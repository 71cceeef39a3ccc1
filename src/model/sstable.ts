import { crc32c, unmaskCrc32c } from '../util/crc32c.js';
import { AutocmError } from '../util/errors.js';

/**
 * Reader of a LevelDB-format table (the SSTable TensorFlow uses for a checkpoint's `.index`):
 * a footer with the metaindex and index block handles and a magic number; blocks of
 * prefix-compressed key/value entries with restart points; each block followed by a trailer of
 * one compression-type byte and the masked CRC32C of the block and that byte.
 */

const FOOTER_BYTES = 48;
const TABLE_MAGIC = 0xdb4775248b80fb57n;
const BLOCK_TRAILER_BYTES = 5;
const NO_COMPRESSION = 0;

export interface TableEntry {
  key: Uint8Array;
  value: Uint8Array;
}

interface BlockHandle {
  offset: number;
  size: number;
}

/** A cursor over protobuf-style varints. */
class ByteReader {
  constructor(
    readonly bytes: Uint8Array,
    public position: number,
    private readonly fail: (why: string) => Error,
  ) {}

  varint(): number {
    let result = 0;
    let multiplier = 1;
    for (let i = 0; i < 10; i++) {
      if (this.position >= this.bytes.length) throw this.fail('truncated varint');
      const byte = this.bytes[this.position++]!;
      result += (byte & 0x7f) * multiplier;
      if (byte < 0x80) {
        if (!Number.isSafeInteger(result)) throw this.fail('varint too large');
        return result;
      }
      multiplier *= 128;
    }
    throw this.fail('malformed varint');
  }

  take(length: number): Uint8Array {
    if (this.position + length > this.bytes.length) throw this.fail('entry runs past the end of its block');
    const out = this.bytes.subarray(this.position, this.position + length);
    this.position += length;
    return out;
  }
}

/** All entries of the table, in key order. `path` names the file in errors. */
export function readTable(bytes: Uint8Array, path: string): TableEntry[] {
  const fail = (why: string) => new AutocmError(`not a valid checkpoint index (LevelDB table): ${why}`, path);
  if (bytes.length < FOOTER_BYTES) throw fail(`only ${bytes.length} bytes`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getBigUint64(bytes.length - 8, true);
  if (magic !== TABLE_MAGIC) throw fail('bad magic number');
  const footer = new ByteReader(bytes, bytes.length - FOOTER_BYTES, fail);
  readHandle(footer); // metaindex: TensorFlow writes no filter blocks, nothing to read there
  const indexHandle = readHandle(footer);

  const entries: TableEntry[] = [];
  for (const indexEntry of readBlock(bytes, indexHandle, fail)) {
    const dataHandle = readHandle(new ByteReader(indexEntry.value, 0, fail));
    entries.push(...readBlock(bytes, dataHandle, fail));
  }
  return entries;
}

function readHandle(reader: ByteReader): BlockHandle {
  return { offset: reader.varint(), size: reader.varint() };
}

function readBlock(bytes: Uint8Array, handle: BlockHandle, fail: (why: string) => Error): TableEntry[] {
  const end = handle.offset + handle.size;
  if (end + BLOCK_TRAILER_BYTES > bytes.length) throw fail(`block at ${handle.offset} (+${handle.size}) runs past the end of the file`);
  const compression = bytes[end]!;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const storedCrc = unmaskCrc32c(view.getUint32(end + 1, true));
  if (crc32c(bytes.subarray(handle.offset, end + 1)) !== storedCrc) throw fail(`CRC32C mismatch in the block at offset ${handle.offset}`);
  if (compression !== NO_COMPRESSION) throw fail(`block at ${handle.offset} uses compression type ${compression}; only uncompressed tables are supported`);

  const block = bytes.subarray(handle.offset, end);
  if (block.length < 4) throw fail(`block at ${handle.offset} is too short`);
  const blockView = new DataView(block.buffer, block.byteOffset, block.byteLength);
  const restarts = blockView.getUint32(block.length - 4, true);
  const entriesEnd = block.length - 4 - 4 * restarts;
  if (entriesEnd < 0) throw fail(`block at ${handle.offset} has an impossible restart count ${restarts}`);

  const reader = new ByteReader(block.subarray(0, entriesEnd), 0, fail);
  const entries: TableEntry[] = [];
  let previousKey = new Uint8Array(0);
  while (reader.position < entriesEnd) {
    const shared = reader.varint();
    const nonShared = reader.varint();
    const valueLength = reader.varint();
    if (shared > previousKey.length) throw fail(`entry shares ${shared} bytes with a key of ${previousKey.length}`);
    const key = new Uint8Array(shared + nonShared);
    key.set(previousKey.subarray(0, shared));
    key.set(reader.take(nonShared), shared);
    entries.push({ key, value: reader.take(valueLength) });
    previousKey = key;
  }
  return entries;
}
