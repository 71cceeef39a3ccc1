import { readFile } from 'node:fs/promises';
import protobuf from 'protobufjs';
import { crc32c, unmaskCrc32c } from '../util/crc32c.js';
import { AutocmError } from '../util/errors.js';
import { readTable } from './sstable.js';

/**
 * Reader of a TensorFlow TensorBundle checkpoint (what Keras `save_weights` writes): `PREFIX.index`
 * is a LevelDB table whose entry "" is a BundleHeaderProto and whose other entries are
 * BundleEntryProtos locating each tensor in the `PREFIX.data-SSSSS-of-NNNNN` shards.
 */

/** The fields of tensorflow/core/protobuf/tensor_bundle.proto and tensor_shape.proto autocm needs. */
const root = protobuf.Root.fromJSON({
  nested: {
    VersionDef: { fields: { producer: { type: 'int32', id: 1 }, min_consumer: { type: 'int32', id: 2 } } },
    BundleHeaderProto: {
      fields: {
        num_shards: { type: 'int32', id: 1 },
        endianness: { type: 'int32', id: 2 },
        version: { type: 'VersionDef', id: 3 },
      },
    },
    Dim: { fields: { size: { type: 'int64', id: 1 }, name: { type: 'string', id: 2 } } },
    TensorShapeProto: { fields: { dim: { rule: 'repeated', type: 'Dim', id: 2 }, unknown_rank: { type: 'bool', id: 3 } } },
    BundleEntryProto: {
      fields: {
        dtype: { type: 'int32', id: 1 },
        shape: { type: 'TensorShapeProto', id: 2 },
        shard_id: { type: 'int32', id: 3 },
        offset: { type: 'int64', id: 4 },
        size: { type: 'int64', id: 5 },
        crc32c: { type: 'fixed32', id: 6 },
        slices: { rule: 'repeated', type: 'bytes', id: 7 },
      },
    },
  },
});
const BundleHeaderProto = root.lookupType('BundleHeaderProto');
const BundleEntryProto = root.lookupType('BundleEntryProto');

/** tensorflow DataType values. */
export const TF_FLOAT = 1;
export const TF_STRING = 7;
const BIG_ENDIAN = 1;

export interface BundleTensor {
  key: string;
  /** tensorflow DataType number (1 = float32, 7 = string, ...). */
  dtype: number;
  shape: number[];
  /** Values of float32 tensors; null for other types (their CRC is still checked). */
  values: Float32Array | null;
}

interface EntryFields {
  dtype: number;
  shape?: { dim?: { size: number | Long }[]; unknown_rank?: boolean };
  shard_id: number;
  offset: number | Long;
  size: number | Long;
  crc32c: number;
  slices?: Uint8Array[];
}

type Long = { toNumber(): number };
const toNumber = (v: number | Long | undefined): number => (typeof v === 'number' ? v : v === undefined ? 0 : v.toNumber());

export function dataShardPath(prefix: string, shard: number, numShards: number): string {
  const pad = (n: number) => String(n).padStart(5, '0');
  return `${prefix}.data-${pad(shard)}-of-${pad(numShards)}`;
}

/** Every tensor of the checkpoint at `prefix`, each checked against its CRC32C. */
export async function readTensorBundle(prefix: string): Promise<BundleTensor[]> {
  const indexPath = `${prefix}.index`;
  const indexBytes = await readOrFail(indexPath, 'checkpoint index');
  const entries = readTable(indexBytes, indexPath);
  const decoder = new TextDecoder();

  const headerEntry = entries.find((e) => e.key.length === 0);
  if (!headerEntry) throw new AutocmError('checkpoint index has no bundle header (entry "")', indexPath);
  const header = decodeOrFail(() => BundleHeaderProto.toObject(BundleHeaderProto.decode(headerEntry.value)) as { num_shards?: number; endianness?: number }, indexPath, 'bundle header');
  const numShards = header.num_shards ?? 0;
  if (numShards < 1) throw new AutocmError(`bundle header declares ${numShards} data shards`, indexPath);
  if (header.endianness === BIG_ENDIAN) throw new AutocmError('big-endian checkpoints are not supported', indexPath);

  const shards = new Map<number, Uint8Array>();
  const tensors: BundleTensor[] = [];
  for (const entry of entries) {
    if (entry.key.length === 0) continue;
    const key = decoder.decode(entry.key);
    const fields = decodeOrFail(() => BundleEntryProto.toObject(BundleEntryProto.decode(entry.value), { defaults: true }) as EntryFields, indexPath, `entry ${key}`);
    if (fields.slices && fields.slices.length > 0) throw new AutocmError(`tensor ${key} is a partitioned (sliced) variable; not supported`, indexPath);
    if (fields.shape?.unknown_rank) throw new AutocmError(`tensor ${key} has an unknown rank`, indexPath);
    const shape = (fields.shape?.dim ?? []).map((d) => toNumber(d.size));
    const shardId = fields.shard_id;
    if (shardId < 0 || shardId >= numShards) throw new AutocmError(`tensor ${key} lives in shard ${shardId} of ${numShards}`, indexPath);
    const shardPath = dataShardPath(prefix, shardId, numShards);
    let shard = shards.get(shardId);
    if (!shard) {
      shard = await readOrFail(shardPath, 'checkpoint data shard');
      shards.set(shardId, shard);
    }
    const offset = toNumber(fields.offset);
    const size = toNumber(fields.size);
    if (offset < 0 || offset + size > shard.length) {
      throw new AutocmError(`tensor ${key} (bytes ${offset}..${offset + size}) lies past the end of the shard (${shard.length} bytes)`, shardPath);
    }
    const raw = shard.subarray(offset, offset + size);
    const expectedCrc = unmaskCrc32c(fields.crc32c);
    const actualCrc = fields.dtype === TF_STRING ? stringTensorCrc(raw, elementCount(shape), () => new AutocmError(`tensor ${key}: malformed string data`, shardPath)) : crc32c(raw);
    if (actualCrc !== expectedCrc) throw new AutocmError(`CRC32C mismatch for tensor ${key}: the data file is corrupt or does not belong to this index`, shardPath);

    let values: Float32Array | null = null;
    if (fields.dtype === TF_FLOAT) {
      if (size !== 4 * elementCount(shape)) throw new AutocmError(`tensor ${key} [${shape}] has ${size} bytes, expected ${4 * elementCount(shape)}`, indexPath);
      values = new Float32Array(elementCount(shape));
      new Uint8Array(values.buffer).set(raw);
    }
    tensors.push({ key, dtype: fields.dtype, shape, values });
  }
  return tensors;
}

function elementCount(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/**
 * The CRC TensorFlow records for a string tensor: over each length as uint32 LE, then the 4-byte
 * masked CRC of those lengths, then the string bytes (the stored lengths are varint64s).
 */
function stringTensorCrc(raw: Uint8Array, count: number, fail: () => Error): number {
  const lengths: number[] = [];
  let position = 0;
  for (let i = 0; i < count; i++) {
    let value = 0;
    let multiplier = 1;
    for (;;) {
      if (position >= raw.length) throw fail();
      const byte = raw[position++]!;
      value += (byte & 0x7f) * multiplier;
      multiplier *= 128;
      if (byte < 0x80) break;
    }
    lengths.push(value);
  }
  const lengthBytes = new Uint8Array(4 * count);
  const lengthView = new DataView(lengthBytes.buffer);
  lengths.forEach((l, i) => lengthView.setUint32(4 * i, l >>> 0, true));
  const total = lengths.reduce((a, b) => a + b, 0);
  if (position + 4 + total !== raw.length) throw fail();
  let crc = crc32c(lengthBytes);
  crc = crc32c(raw.subarray(position, position + 4), crc);
  return crc32c(raw.subarray(position + 4), crc);
}

async function readOrFail(path: string, what: string): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (error) {
    throw new AutocmError(`cannot read ${what} (${(error as NodeJS.ErrnoException).code ?? String(error)})`, path);
  }
}

function decodeOrFail<T>(decode: () => T, path: string, what: string): T {
  try {
    return decode();
  } catch (error) {
    throw new AutocmError(`malformed ${what}: ${(error as Error).message}`, path);
  }
}
