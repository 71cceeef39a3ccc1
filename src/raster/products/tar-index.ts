/**
 * Members of a tar archive (POSIX ustar and GNU long names), read from the 512-byte headers
 * without extracting anything, and `/vsitar/` paths (GDAL's spelling: `/vsitar/ARCHIVE.tar/MEMBER`)
 * that name a member, so a raster inside a Landsat .tar is read in place.
 */
import { openSync, readSync, closeSync, fstatSync } from 'node:fs';
import { AutocmError } from '../../util/errors.js';

export interface TarMember {
  name: string;
  offset: number;
  size: number;
}

function text(block: Buffer, start: number, length: number): string {
  const raw = block.subarray(start, start + length);
  const end = raw.indexOf(0);
  return raw.subarray(0, end < 0 ? raw.length : end).toString('utf8');
}

function octal(block: Buffer, start: number, length: number): number {
  const value = text(block, start, length).trim();
  return value === '' ? 0 : Number.parseInt(value, 8);
}

/** Every regular file of the archive with the byte offset of its data. */
export function tarMembers(path: string): TarMember[] {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const members: TarMember[] = [];
    const block = Buffer.alloc(512);
    let offset = 0;
    let longName: string | null = null;
    while (offset + 512 <= size) {
      readSync(fd, block, 0, 512, offset);
      if (block.every((b) => b === 0)) break;
      const magic = text(block, 257, 6);
      const sizeOf = octal(block, 124, 12);
      if (!Number.isFinite(sizeOf) || (magic !== '' && !magic.startsWith('ustar'))) throw new AutocmError(`not a tar archive (bad header at byte ${offset})`, path);
      const type = String.fromCharCode(block[156] || 48);
      const prefix = magic.startsWith('ustar') ? text(block, 345, 155) : '';
      const name = longName ?? (prefix ? `${prefix}/${text(block, 0, 100)}` : text(block, 0, 100));
      longName = null;
      const data = offset + 512;
      if (data + sizeOf > size) throw new AutocmError(`truncated tar archive: member ${name} runs past the end`, path);
      if (type === 'L') {
        const buffer = Buffer.alloc(sizeOf);
        readSync(fd, buffer, 0, sizeOf, data);
        longName = buffer.toString('utf8').replace(/\0+$/, '');
      } else if (type === '0' || type === '7') members.push({ name, offset: data, size: sizeOf });
      offset = data + Math.ceil(sizeOf / 512) * 512;
    }
    return members;
  } finally {
    closeSync(fd);
  }
}

/** Splits `/vsitar/ARCHIVE.tar/MEMBER` into archive and member, or null for other paths. */
export function splitVsitar(path: string): { archive: string; member: string } | null {
  const match = /^\/vsitar\/(.+?\.tar)\/(.+)$/i.exec(path);
  return match ? { archive: match[1], member: match[2] } : null;
}

export function readMember(archive: string, member: TarMember): Buffer {
  const fd = openSync(archive, 'r');
  try {
    const buffer = Buffer.alloc(member.size);
    readSync(fd, buffer, 0, member.size, member.offset);
    return buffer;
  } finally {
    closeSync(fd);
  }
}
