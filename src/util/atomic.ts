import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** A temporary path next to `finalPath`, on the same file system so that rename is atomic. */
export function temporaryPathFor(finalPath: string): string {
  const suffix = `${process.pid}-${randomBytes(4).toString('hex')}`;
  return join(dirname(finalPath), `.${basename(finalPath)}.${suffix}.tmp`);
}

/**
 * Runs `write` against a temporary path and renames it onto `finalPath` only if it succeeds,
 * so a crash or an error never leaves a half-written file under the final name.
 */
export async function writeAtomically<T>(finalPath: string, write: (temporaryPath: string) => Promise<T>): Promise<T> {
  await mkdir(dirname(finalPath), { recursive: true });
  const temporaryPath = temporaryPathFor(finalPath);
  try {
    const result = await write(temporaryPath);
    await rename(temporaryPath, finalPath);
    return result;
  } catch (error) {
    await rm(temporaryPath, { force: true });
    throw error;
  }
}

export async function writeFileAtomically(finalPath: string, data: string | Uint8Array): Promise<void> {
  await writeAtomically(finalPath, (temporaryPath) => writeFile(temporaryPath, data));
}
