import { open } from 'node:fs/promises';
import { AutocmError } from './errors.js';
import { asWriteError } from './fs-errors.js';

/** The part of a FileHandle that writeFully needs (a fake in tests). */
export interface WritableHandle {
  write(buffer: Uint8Array, offset: number, length: number, position: number | null): Promise<{ bytesWritten: number }>;
}

/**
 * Writes all of `data` at `position` (null: at the file's current position). One write call may
 * take fewer bytes than asked (a disk filling up, signals): the rest is written by further calls,
 * and the call that cannot write any more fails (ENOSPC...) as an AutocmError naming `path`.
 */
export async function writeFully(handle: WritableHandle, data: Uint8Array, position: number | null, path: string): Promise<void> {
  let done = 0;
  while (done < data.length) {
    let written: number;
    try {
      ({ bytesWritten: written } = await handle.write(data, done, data.length - done, position === null ? null : position + done));
    } catch (error) {
      throw asWriteError(error, path);
    }
    if (!(written > 0)) throw new AutocmError(`cannot write: the file system took none of the last ${data.length - done} bytes (disk full?)`, path);
    done += written;
  }
}

/**
 * Writes a whole file (created or truncated; `append` adds to its end; `existing`: into an existing
 * empty file, never creating it) and closes it. Failures name `options.name` (e.g. the final path of
 * a temporary file), else `path`.
 */
export async function writeFileFully(path: string, data: string | Uint8Array, options: { append?: boolean; existing?: boolean; name?: string } = {}): Promise<void> {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  const name = options.name ?? path;
  let handle;
  try {
    handle = await open(path, options.append ? 'a' : options.existing ? 'r+' : 'w');
  } catch (error) {
    throw asWriteError(error, name);
  }
  try {
    await writeFully(handle, bytes, null, name);
  } catch (error) {
    await handle.close().catch(() => undefined);
    throw error;
  }
  try {
    await handle.close();
  } catch (error) {
    throw asWriteError(error, name);
  }
}
