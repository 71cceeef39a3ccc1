import { AutocmError, isAutocmError } from './errors.js';

const KNOWN: Record<string, string> = {
  ENOSPC: 'disk full, no space left on device',
  EDQUOT: 'disk quota exceeded',
  EFBIG: 'file too large for the file system',
  EIO: 'input/output error',
  EROFS: 'read-only file system',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOENT: 'no such file or folder',
  ENOTDIR: 'a part of the path is not a folder',
  EISDIR: 'is a folder',
};

/** "disk full, no space left on device (ENOSPC)", "permission denied (EACCES)", ... */
export function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code && KNOWN[code]) return `${KNOWN[code]} (${code})`;
  if (code) return `${code}: ${(error as Error).message}`;
  return error instanceof Error ? error.message : String(error);
}

/** A file-system error of a write as an AutocmError naming `path`; other errors pass unchanged. */
export function asWriteError(error: unknown, path: string): unknown {
  if (isAutocmError(error)) return error;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code !== 'string' || !/^E[A-Z0-9]+$/.test(code)) return error;
  return new AutocmError(`cannot write: ${describeFsError(error)}`, path);
}
