import { access, readdir, readFile, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { writeFileAtomically } from '../util/atomic.js';
import { doneMarkerPath } from './layout.js';

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * True when a job's outputs are complete for exactly this work (same key): every output exists
 * (they are written atomically, so existing means whole) and the done marker names the key.
 */
export async function outputsComplete(outputDir: string, markerStem: string, sceneKey: string, outputs: string[]): Promise<boolean> {
  let marker: unknown;
  try {
    marker = JSON.parse(await readFile(doneMarkerPath(outputDir, markerStem), 'utf8'));
  } catch {
    return false;
  }
  if (typeof marker !== 'object' || marker === null || (marker as { sceneKey?: unknown }).sceneKey !== sceneKey) return false;
  for (const output of outputs) if (!(await exists(output))) return false;
  return true;
}

export async function markComplete(outputDir: string, markerStem: string, sceneKey: string, details: Record<string, unknown>): Promise<void> {
  await writeFileAtomically(doneMarkerPath(outputDir, markerStem), `${JSON.stringify({ sceneKey, ...details, completedAt: new Date().toISOString() })}\n`);
}

export { exists as pathExists };

/** Temporary files of util/atomic.ts and the COG writer for one output: `.<name>.<pid>-<hex>.tmp[.tiles]`. */
function temporaryNamePattern(outputName: string): RegExp {
  const escaped = outputName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^\\.${escaped}\\.\\d+-[0-9a-f]{8}\\.tmp(\\.tiles)?$`);
}

/**
 * Removes what an earlier attempt left half-written next to `outputs` when its process was
 * killed (SIGKILL, machine loss): only the job holding the lock runs this, so no live writer owns them.
 */
export async function removeStaleTemporaries(outputDir: string, outputs: string[]): Promise<number> {
  let names: string[];
  try {
    names = await readdir(outputDir);
  } catch {
    return 0;
  }
  const patterns = outputs.map((output) => temporaryNamePattern(basename(output)));
  const stale = names.filter((name) => patterns.some((pattern) => pattern.test(name)));
  await Promise.all(stale.map((name) => rm(join(outputDir, name), { force: true })));
  return stale.length;
}
