import { rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { temporaryPathFor } from '../util/atomic.js';
import { AutocmError } from '../util/errors.js';
import { prepareOutputFolder } from '../util/output-folder.js';

export interface OutputPaths {
  probability: string;
  mask: string;
}

/** `<stem>_cloudprob.tif` and `<stem>_cloudmask.tif` in the output folder. */
export function outputPathsFor(outputDirectory: string, stem: string): OutputPaths {
  return { probability: join(outputDirectory, `${stem}_cloudprob.tif`), mask: join(outputDirectory, `${stem}_cloudmask.tif`) };
}

/** `<stem>_shadowprob.tif`: the shadow probability, written when asked for. */
export function shadowProbabilityPathFor(outputDirectory: string, stem: string): string {
  return join(outputDirectory, `${stem}_shadowprob.tif`);
}

/** Two inputs with the same stem would overwrite each other's outputs: refuse before any work. */
export function checkDistinctStems(images: { id: string; source: string }[]): void {
  const seen = new Map<string, string>();
  for (const image of images) {
    const earlier = seen.get(image.id);
    if (earlier !== undefined) throw new AutocmError(`has the same name stem "${image.id}" as ${earlier}: their outputs would collide (predict them into different folders)`, image.source);
    seen.set(image.id, image.source);
  }
}

/** Creates the output folder if needed and checks that files can be created in it. */
export async function prepareOutputDirectory(directory: string): Promise<void> {
  await prepareOutputFolder(directory, 'output folder');
  if (!(await stat(directory)).isDirectory()) throw new AutocmError('is not a folder', directory);
  // A probe file, not access(W_OK): root passes access() even on a read-only mount.
  const probe = temporaryPathFor(join(directory, 'write-probe'));
  try {
    await writeFile(probe, '');
  } catch (error) {
    throw new AutocmError(`output folder is not writable (${(error as NodeJS.ErrnoException).code ?? String(error)})`, directory);
  }
  await rm(probe, { force: true });
}

export async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
