import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { AutocmError } from '../util/errors.js';
import { progressBar } from '../util/progress.js';
import { generateSyntheticStack, resolveSyntheticOptions, type SyntheticStackOptions } from './generate.js';
import { describeFsError, prepareOutputDirectory } from './output-dir.js';
import { syntheticFileNames, writeSyntheticStack, type SyntheticManifest } from './write.js';

export interface SynthesiseOptions extends SyntheticStackOptions {
  force?: boolean;
  quiet?: boolean;
}

export interface SynthesiseResult {
  directory: string;
  manifest: SyntheticManifest;
  generateSeconds: number;
  writeSeconds: number;
}

const STACK_FILE = /^(img_\d{8}\.tif|masks\/mask_\d{8}\.tif|surface\/surface_\d{8}\.tif|manifest\.json|sensor\.json)$/;

/**
 * Generates a synthetic stack and writes it into `dir` (see writeSyntheticStack), with
 * progress on stderr. With `force`, a previous stack's files in `dir` are removed first so
 * the folder holds exactly one stack; on failure the files of this run are removed again.
 */
export async function synthesiseToFolder(dir: string, options: SynthesiseOptions): Promise<SynthesiseResult> {
  const { force, quiet, ...requested } = options;
  // Bad options fail before anything is created.
  const stackOptions = resolveSyntheticOptions(requested);
  const prepared = await prepareOutputDirectory(dir, { force, what: 'synthetic stack folder' });
  if (force) await removeStackFiles(prepared.path);
  const generateBar = progressBar('synth: generating dates', options.dates, { quiet });
  const startGenerate = performance.now();
  const stack = generateSyntheticStack(stackOptions, (done) => generateBar.update(done));
  generateBar.stop();
  const generateSeconds = (performance.now() - startGenerate) / 1000;
  const writeBar = progressBar('synth: writing COGs', stack.dates.length, { quiet });
  const startWrite = performance.now();
  try {
    const manifest = await writeSyntheticStack(stack, prepared.path, (done) => writeBar.update(done));
    writeBar.stop();
    return { directory: prepared.path, manifest, generateSeconds, writeSeconds: (performance.now() - startWrite) / 1000 };
  } catch (error) {
    writeBar.stop();
    if (prepared.created) await rm(prepared.path, { recursive: true, force: true });
    else await removeStackFiles(prepared.path, stack.dates.map((d) => d.date));
    if (error instanceof AutocmError) throw error;
    throw new AutocmError(`writing the synthetic stack failed: ${describeFsError(error)}`, prepared.path);
  }
}

/** Removes the stack files of the given dates, or every file that follows the stack layout. */
export async function removeStackFiles(dir: string, dates?: string[]): Promise<void> {
  const targets: string[] = [];
  if (dates) {
    for (const date of dates) targets.push(...Object.values(syntheticFileNames(date)));
    targets.push('manifest.json');
  } else {
    for (const sub of ['', 'masks', 'surface']) {
      const names = await readdir(join(dir, sub)).catch(() => [] as string[]);
      for (const name of names) {
        const relativePath = sub ? `${sub}/${name}` : name;
        if (STACK_FILE.test(relativePath)) targets.push(relativePath);
      }
    }
  }
  await Promise.all(targets.map((target) => rm(join(dir, target), { force: true })));
}
