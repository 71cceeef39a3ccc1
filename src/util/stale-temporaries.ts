import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { temporaryOwner } from './temporary-names.js';

function isRunning(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes the temporary files that killed runs left in `dir`: only names of our pattern, only
 * files older than `runStart` (default: this process's start) whose writing process is gone.
 * Returns the names removed.
 */
export async function sweepStaleTemporaries(dir: string, runStart = performance.timeOrigin): Promise<string[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const removed: string[] = [];
  for (const name of names) {
    const pid = temporaryOwner(name);
    if (pid === null || isRunning(pid)) continue;
    const info = await stat(join(dir, name)).catch(() => null);
    if (!info?.isFile() || info.mtimeMs >= runStart) continue;
    await rm(join(dir, name), { force: true });
    removed.push(name);
  }
  return removed;
}
