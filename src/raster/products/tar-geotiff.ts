/** A GeoTIFF inside a tar archive (`/vsitar/ARCHIVE.tar/MEMBER`) opened with geotiff.js through a source that reads the member's bytes in place. */
import { open as openFile } from 'node:fs/promises';
import { GeoTIFF } from 'geotiff';
import { AutocmError } from '../../util/errors.js';
import { splitVsitar, tarMembers } from './tar-index.js';

export function isTarMemberPath(path: string): boolean {
  return splitVsitar(path) !== null;
}

export async function openTarMemberTiff(path: string, signal?: AbortSignal): Promise<{ tiff: GeoTIFF; fileSize: number }> {
  const split = splitVsitar(path)!;
  let members;
  try {
    members = tarMembers(split.archive);
  } catch (error) {
    if (error instanceof AutocmError) throw error;
    throw new AutocmError(`cannot read the tar archive: ${(error as Error).message}`, split.archive);
  }
  const member = members.find((m) => m.name === split.member || m.name === `./${split.member}`);
  if (!member) throw new AutocmError(`no member ${split.member} in the tar archive`, split.archive);
  const handle = await openFile(split.archive, 'r');
  const source = {
    fileSize: member.size,
    async fetch(slices: { offset: number; length: number }[]): Promise<ArrayBuffer[]> {
      return Promise.all(
        slices.map(async ({ offset, length }) => {
          const wanted = Math.max(0, Math.min(length, member.size - offset));
          const buffer = new Uint8Array(wanted);
          await handle.read(buffer, 0, wanted, member.offset + offset);
          return buffer.buffer;
        }),
      );
    },
    async close(): Promise<void> {
      await handle.close().catch(() => undefined);
    },
  };
  try {
    return { tiff: await GeoTIFF.fromSource(source as never, undefined, signal), fileSize: member.size };
  } catch (error) {
    await source.close();
    throw new AutocmError(`corrupt TIFF in the tar archive: ${(error as Error).message}`, path);
  }
}
