import { resolve } from 'node:path';
import { makeDirectories } from './directories.js';
import { sweepStaleTemporaries } from './stale-temporaries.js';
import { temporaryCleanupInstalled } from './temporary-cleanup.js';

const swept = new Set<string>();

/** Creates the folder an output goes into; in a CLI run, first removes stale temporaries of earlier runs there (once per folder). */
export async function prepareOutputFolder(dir: string, what?: string): Promise<void> {
  await makeDirectories(dir, what);
  const key = resolve(dir);
  if (!temporaryCleanupInstalled() || swept.has(key)) return;
  swept.add(key);
  await sweepStaleTemporaries(key);
}
