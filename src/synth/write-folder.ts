import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { AutocmError } from '../util/errors.js';
import { progressBar } from '../util/progress.js';
import { acquisitionDates, streamSyntheticStack, type SyntheticStackOptions } from './generate.js';
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
 * Generates a synthetic stack and writes it into `dir` (see writeSyntheticStack) date by date,
 * with progress on stderr: memory holds one date and the landscape, whatever the number of
 * dates. With `force`, a previous stack's files in `dir` are removed first so the folder holds
 * exactly one stack; on failure the files of this run are removed again.
 */
export async function synthesiseToFolder(dir: string, options: SynthesiseOptions): Promise<SynthesiseResult> {
  const { force, quiet, ...requested } = options;
  // Bad options fail before anything is created.
  const stream = streamSyntheticStack(requested);
  const prepared = await prepareOutputDirectory(dir, { force, what: 'synthetic stack folder' });
  if (force) await removeStackFiles(prepared.path);
  const bar = progressBar('synth: generating and writing dates', stream.options.dates, { quiet });
  const generating = { seconds: 0 };
  const start = performance.now();
  try {
    const manifest = await writeSyntheticStack({ ...stream, dates: timed(stream.dates, generating) }, prepared.path, (done) => bar.update(done));
    bar.stop();
    const seconds = (performance.now() - start) / 1000;
    return { directory: prepared.path, manifest, generateSeconds: generating.seconds, writeSeconds: seconds - generating.seconds };
  } catch (error) {
    bar.stop();
    if (prepared.created) await rm(prepared.path, { recursive: true, force: true });
    else {
      const { startDate, dates, cadenceDays } = stream.options;
      await removeStackFiles(prepared.path, acquisitionDates(startDate, dates, cadenceDays).map((d) => d.date));
    }
    if (error instanceof AutocmError) throw error;
    throw new AutocmError(`writing the synthetic stack failed: ${describeFsError(error)}`, prepared.path);
  }
}

/** The items of `items`, adding the seconds spent producing each one to `clock`. */
function* timed<T>(items: Iterable<T>, clock: { seconds: number }): Generator<T, void, undefined> {
  const iterator = items[Symbol.iterator]();
  for (;;) {
    const started = performance.now();
    const next = iterator.next();
    clock.seconds += (performance.now() - started) / 1000;
    if (next.done) return;
    yield next.value;
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
