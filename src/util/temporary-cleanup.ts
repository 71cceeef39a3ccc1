import { closeSync, openSync, rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Temporary files and folders of this process that exist now. */
const live = new Set<string>();
let installed = false;

export function trackTemporary(path: string): void {
  live.add(path);
}

/**
 * Tracks `path` and creates it empty, both synchronously, so a signal's cleanup either runs before
 * both or finds the file. Open it afterwards WITHOUT creating it ('r+'): an asynchronous open that
 * creates runs on a thread-pool thread and can land after the cleanup, leaving the file behind
 * (seen when Ctrl-C hit `predict` while its writers opened their spools).
 */
export function createTrackedTemporary(path: string): void {
  trackTemporary(path);
  closeSync(openSync(path, 'w'));
}

export function untrackTemporary(path: string): void {
  live.delete(path);
}

/** Runs `use` with a new folder under the system's temporary folder, removed afterwards (and on SIGINT / SIGTERM). */
export async function withTemporaryFolder<T>(prefix: string, use: (path: string) => Promise<T>): Promise<T> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  trackTemporary(path);
  try {
    return await use(path);
  } finally {
    await rm(path, { recursive: true, force: true });
    untrackTemporary(path);
  }
}

/** Removes every tracked temporary at once (synchronously: it runs just before the process exits). */
export function removeTrackedTemporaries(): void {
  for (const path of live) rmSync(path, { recursive: true, force: true });
  live.clear();
}

/**
 * For a CLI run: on SIGINT / SIGTERM remove this run's temporaries and exit 130 / 143, and let
 * prepareOutputFolder sweep what earlier runs left. Not for the queue worker, which handles
 * signals itself and may share folders with writers on other machines.
 */
export function cleanUpTemporariesOnExit(): void {
  if (installed) return;
  installed = true;
  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    process.once(signal, () => {
      removeTrackedTemporaries();
      process.exit(code);
    });
  }
}

export function temporaryCleanupInstalled(): boolean {
  return installed;
}
