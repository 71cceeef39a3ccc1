/** Encodes TIFF / BigTIFF image file directories (IFDs) with their out-of-line values. */

export const FieldType = {
  BYTE: 1,
  ASCII: 2,
  SHORT: 3,
  LONG: 4,
  DOUBLE: 12,
  LONG8: 16,
} as const;
export type FieldTypeCode = (typeof FieldType)[keyof typeof FieldType];

const typeSize: Record<FieldTypeCode, number> = { 1: 1, 2: 1, 3: 2, 4: 4, 12: 8, 16: 8 };

export interface IfdEntry {
  tag: number;
  type: FieldTypeCode;
  /** Numbers for numeric types; a string (written NUL-terminated) for ASCII. */
  values: number[] | string;
}

function valueCount(entry: IfdEntry): number {
  return typeof entry.values === 'string' ? Buffer.byteLength(entry.values, 'latin1') + 1 : entry.values.length;
}

function valueBytes(entry: IfdEntry): number {
  return valueCount(entry) * typeSize[entry.type];
}

function layout(bigTiff: boolean): { countSize: number; entrySize: number; inlineSize: number; offsetSize: number } {
  return bigTiff ? { countSize: 8, entrySize: 20, inlineSize: 8, offsetSize: 8 } : { countSize: 2, entrySize: 12, inlineSize: 4, offsetSize: 4 };
}

const even = (n: number): number => n + (n & 1);

/** Bytes the IFD and its out-of-line values take; depends only on tags, types and counts, not on values. */
export function ifdByteLength(entries: IfdEntry[], bigTiff: boolean): number {
  const { countSize, entrySize, inlineSize, offsetSize } = layout(bigTiff);
  let size = countSize + entries.length * entrySize + offsetSize;
  for (const entry of entries) {
    const bytes = valueBytes(entry);
    if (bytes > inlineSize) size = even(size + bytes);
  }
  return even(size);
}

function writeValues(target: Buffer, at: number, entry: IfdEntry): void {
  if (typeof entry.values === 'string') {
    target.write(entry.values, at, 'latin1');
    target[at + Buffer.byteLength(entry.values, 'latin1')] = 0;
    return;
  }
  const size = typeSize[entry.type];
  entry.values.forEach((value, i) => {
    const offset = at + i * size;
    switch (entry.type) {
      case FieldType.BYTE:
        target.writeUInt8(value, offset);
        break;
      case FieldType.SHORT:
        target.writeUInt16LE(value, offset);
        break;
      case FieldType.LONG:
        target.writeUInt32LE(value, offset);
        break;
      case FieldType.DOUBLE:
        target.writeDoubleLE(value, offset);
        break;
      case FieldType.LONG8:
        target.writeBigUInt64LE(BigInt(value), offset);
        break;
      default:
        throw new Error(`cannot encode TIFF field type ${entry.type}`);
    }
  });
}

/**
 * One little-endian IFD placed at `offset`, entries sorted by tag (as TIFF requires), values that do
 * not fit in the entry stored right after it, and `nextIfdOffset` (0 for the last) as the link.
 */
export function encodeIfd(entries: IfdEntry[], offset: number, nextIfdOffset: number, bigTiff: boolean): Buffer {
  const sorted = [...entries].sort((a, b) => a.tag - b.tag);
  const { countSize, entrySize, inlineSize, offsetSize } = layout(bigTiff);
  const buffer = Buffer.alloc(ifdByteLength(sorted, bigTiff));
  if (bigTiff) buffer.writeBigUInt64LE(BigInt(sorted.length), 0);
  else buffer.writeUInt16LE(sorted.length, 0);
  let extra = countSize + sorted.length * entrySize + offsetSize;
  sorted.forEach((entry, i) => {
    const at = countSize + i * entrySize;
    buffer.writeUInt16LE(entry.tag, at);
    buffer.writeUInt16LE(entry.type, at + 2);
    if (bigTiff) buffer.writeBigUInt64LE(BigInt(valueCount(entry)), at + 4);
    else buffer.writeUInt32LE(valueCount(entry), at + 4);
    const valueAt = at + (bigTiff ? 12 : 8);
    if (valueBytes(entry) <= inlineSize) {
      writeValues(buffer, valueAt, entry);
    } else {
      if (bigTiff) buffer.writeBigUInt64LE(BigInt(offset + extra), valueAt);
      else buffer.writeUInt32LE(offset + extra, valueAt);
      writeValues(buffer, extra, entry);
      extra = even(extra + valueBytes(entry));
    }
  });
  const linkAt = countSize + sorted.length * entrySize;
  if (bigTiff) buffer.writeBigUInt64LE(BigInt(nextIfdOffset), linkAt);
  else buffer.writeUInt32LE(nextIfdOffset, linkAt);
  return buffer;
}

/** The 8-byte classic or 16-byte BigTIFF little-endian header pointing at the first IFD. */
export function encodeHeader(firstIfdOffset: number, bigTiff: boolean): Buffer {
  if (!bigTiff) {
    const header = Buffer.alloc(8);
    header.write('II', 0, 'latin1');
    header.writeUInt16LE(42, 2);
    header.writeUInt32LE(firstIfdOffset, 4);
    return header;
  }
  const header = Buffer.alloc(16);
  header.write('II', 0, 'latin1');
  header.writeUInt16LE(43, 2);
  header.writeUInt16LE(8, 4);
  header.writeUInt16LE(0, 6);
  header.writeBigUInt64LE(BigInt(firstIfdOffset), 8);
  return header;
}
