import { constants } from 'node:fs';
import { access, mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { AutocmError } from '../util/errors.js';

export interface PreparedDirectory {
  path: string;
  /** True when this call created the folder (so a failed run may remove it again). */
  created: boolean;
}

/**
 * Makes sure `dir` can receive a fresh output: created when missing, refused when it exists
 * with files in it (unless `force`), refused when it is a file or cannot be written. The
 * check writes and removes a probe file, so "read-only" and "no space left" surface here,
 * before any work is done.
 */
export async function prepareOutputDirectory(dir: string, options: { force?: boolean; what?: string } = {}): Promise<PreparedDirectory> {
  const path = resolve(dir);
  const what = options.what ?? 'output folder';
  let created = false;
  const existing = await stat(path).catch(() => null);
  if (existing && !existing.isDirectory()) throw new AutocmError(`the ${what} exists and is not a folder`, path);
  if (existing) {
    const entries = await readdir(path).catch((error: NodeJS.ErrnoException) => {
      throw new AutocmError(`cannot read the ${what}: ${error.code ?? error.message}`, path);
    });
    if (entries.length > 0 && !options.force) {
      throw new AutocmError(`the ${what} is not empty (${entries.length} entries); choose another folder or pass --force to write into it`, path);
    }
  } else {
    try {
      await makeDirectories(path);
      created = true;
    } catch (error) {
      throw new AutocmError(`cannot create the ${what}: ${describeFsError(error)}`, path);
    }
  }
  const probe = join(path, `.autocm-write-probe-${process.pid}`);
  try {
    await access(path, constants.W_OK);
    await writeFile(probe, Buffer.alloc(4096));
  } catch (error) {
    if (created) await rm(path, { recursive: true, force: true });
    throw new AutocmError(`cannot write into the ${what}: ${describeFsError(error)}`, path);
  } finally {
    await rm(probe, { force: true });
  }
  return { path, created };
}

/**
 * mkdir -p, one level at a time: Node's recursive mkdir spins forever under some pseudo
 * file systems (e.g. /proc), where a plain mkdir fails cleanly.
 */
async function makeDirectories(path: string): Promise<void> {
  const missing: string[] = [];
  let current = path;
  while (!(await stat(current).catch(() => null))) {
    missing.push(current);
    const parent = dirname(current);
    if (parent === current) break;
    current = parent;
  }
  for (const dir of missing.reverse()) await mkdir(dir);
}

/** "permission denied (EACCES)", "no space left on device (ENOSPC)", ... */
export function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  const known: Record<string, string> = {
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    EROFS: 'read-only file system',
    ENOSPC: 'no space left on device',
    EDQUOT: 'disk quota exceeded',
    ENOTDIR: 'a part of the path is not a folder',
  };
  if (code && known[code]) return `${known[code]} (${code})`;
  return error instanceof Error ? error.message : String(error);
}
