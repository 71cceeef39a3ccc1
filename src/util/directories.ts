import { mkdir, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { AutocmError } from './errors.js';
import { describeFsError } from './fs-errors.js';

/**
 * mkdir -p, one level at a time: Node 20's recursive mkdir never returns under some pseudo file
 * systems (e.g. /proc), where a plain mkdir fails at once.
 */
export async function makeDirectories(path: string, what = 'folder'): Promise<void> {
  const target = resolve(path);
  const missing: string[] = [];
  let current = target;
  for (;;) {
    const found = await stat(current).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return null;
      throw new AutocmError(`cannot create the ${what}: ${describeFsError(error)}`, path);
    });
    if (found) {
      if (!found.isDirectory()) throw new AutocmError(`cannot create the ${what}: ${current} is not a folder`, path);
      break;
    }
    missing.push(current);
    const parent = dirname(current);
    if (parent === current) break;
    current = parent;
  }
  for (const dir of missing.reverse()) {
    await mkdir(dir).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'EEXIST') return;
      // The parent exists (it was checked or just made): ENOENT means its file system takes no new folders.
      const why = error.code === 'ENOENT' ? `${dirname(dir)} does not take new folders (ENOENT)` : describeFsError(error);
      throw new AutocmError(`cannot create the ${what}: ${why}`, path);
    });
  }
}
