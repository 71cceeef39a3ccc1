import { access, readdir, readFile, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { writeFileAtomically } from '../util/atomic.js';
import { doneMarkerPath, maskPath, probabilityPath } from './layout.js';

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * True when this scene's outputs are complete for exactly this work (same scene key): both COGs
 * exist (they are written atomically, so existing means whole) and the done marker names the key.
 */
export async function sceneOutputsComplete(outputDir: string, stem: string, sceneKey: string): Promise<boolean> {
  let marker: unknown;
  try {
    marker = JSON.parse(await readFile(doneMarkerPath(outputDir, stem), 'utf8'));
  } catch {
    return false;
  }
  if (typeof marker !== 'object' || marker === null || (marker as { sceneKey?: unknown }).sceneKey !== sceneKey) return false;
  return (await exists(probabilityPath(outputDir, stem))) && (await exists(maskPath(outputDir, stem)));
}

export async function markSceneComplete(outputDir: string, stem: string, sceneKey: string, details: Record<string, unknown>): Promise<void> {
  await writeFileAtomically(doneMarkerPath(outputDir, stem), `${JSON.stringify({ sceneKey, ...details, completedAt: new Date().toISOString() })}\n`);
}

export { exists as pathExists };

/** Temporary files of util/atomic.ts and the COG writer for one output: `.<name>.<pid>-<hex>.tmp[.tiles]`. */
function temporaryNamePattern(outputName: string): RegExp {
  const escaped = outputName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^\\.${escaped}\\.\\d+-[0-9a-f]{8}\\.tmp(\\.tiles)?$`);
}

/**
 * Removes what an earlier attempt of this scene left half-written when its process was killed
 * (SIGKILL, machine loss): only the job holding the lock runs this, so no live writer owns them.
 */
export async function removeStaleTemporaries(outputDir: string, stem: string): Promise<number> {
  let names: string[];
  try {
    names = await readdir(outputDir);
  } catch {
    return 0;
  }
  const patterns = [basename(probabilityPath(outputDir, stem)), basename(maskPath(outputDir, stem))].map(temporaryNamePattern);
  const stale = names.filter((name) => patterns.some((pattern) => pattern.test(name)));
  await Promise.all(stale.map((name) => rm(join(outputDir, name), { force: true })));
  return stale.length;
}
