import { rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { asWriteError } from './fs-errors.js';
import { prepareOutputFolder } from './output-folder.js';
import { createTrackedTemporary, untrackTemporary } from './temporary-cleanup.js';
import { temporaryPathFor } from './temporary-names.js';
import { writeFileFully } from './write-fully.js';

export { temporaryPathFor };

/**
 * Runs `write` against a temporary path and renames it onto `finalPath` only if it succeeds,
 * so a crash or an error never leaves a half-written file under the final name. File-system
 * errors (disk full...) become AutocmErrors naming `finalPath`; the temporary file is removed.
 * `write` gets an existing empty file: open it with 'r+', never with a flag that creates it
 * (createTrackedTemporary says why).
 */
export async function writeAtomically<T>(finalPath: string, write: (temporaryPath: string) => Promise<T>): Promise<T> {
  await prepareOutputFolder(dirname(finalPath));
  const temporaryPath = temporaryPathFor(finalPath);
  try {
    createTrackedTemporary(temporaryPath);
    const result = await write(temporaryPath);
    await rename(temporaryPath, finalPath);
    return result;
  } catch (error) {
    await rm(temporaryPath, { force: true });
    throw asWriteError(error, finalPath);
  } finally {
    untrackTemporary(temporaryPath);
  }
}

export async function writeFileAtomically(finalPath: string, data: string | Uint8Array): Promise<void> {
  await writeAtomically(finalPath, (temporaryPath) => writeFileFully(temporaryPath, data, { name: finalPath, existing: true }));
}
