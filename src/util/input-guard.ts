import { readdir, realpath, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { AutocmError } from './errors.js';

/** The real path (symlinks followed) of a path that may not exist yet: its nearest existing parent's, plus the rest. */
async function realPathOf(path: string): Promise<string> {
  const absolute = resolve(path);
  try {
    return await realpath(absolute);
  } catch {
    const parent = dirname(absolute);
    return parent === absolute ? absolute : join(await realPathOf(parent), basename(absolute));
  }
}

/** Device and inode of an existing file (symlinks followed): hard links and symlinks of one file share it. */
async function identityOf(path: string): Promise<string | null> {
  const info = await stat(path).catch(() => null);
  return info ? `${info.dev}:${info.ino}` : null;
}

/** Input arguments as files: a folder stands for the files in it (not recursive); missing paths and URLs drop out. */
async function inputFiles(inputs: string[]): Promise<string[]> {
  const files: string[] = [];
  for (const input of inputs) {
    const info = await stat(input).catch(() => null);
    if (info?.isFile()) files.push(input);
    else if (info?.isDirectory()) {
      const names = await readdir(input).catch(() => [] as string[]);
      files.push(...names.map((name) => join(input, name)));
    }
  }
  return files;
}

/**
 * Refuses outputs that would overwrite an input of the same run: an output path that is (after
 * symlinks, or as a hard link) one of the inputs, two outputs that are one file, or, for an output
 * folder a run fills or clears, an input inside it.
 */
export class InputGuard {
  private constructor(private readonly inputs: Map<string, string>, private readonly paths: string[]) {}

  static async of(inputs: (string | undefined)[]): Promise<InputGuard> {
    const files = await inputFiles(inputs.filter((input): input is string => typeof input === 'string' && input.length > 0));
    const identities = new Map<string, string>();
    for (const file of files) {
      const id = await identityOf(file);
      if (id && !identities.has(id)) identities.set(id, file);
    }
    return new InputGuard(identities, files);
  }

  async check(outputs: (string | undefined)[]): Promise<void> {
    const seen = new Map<string, string>();
    for (const output of outputs) {
      if (!output) continue;
      const id = await identityOf(output);
      const input = id ? this.inputs.get(id) : undefined;
      if (input !== undefined) throw new AutocmError(`is an input of this run (${input}): refusing to overwrite it; choose another output path`, output);
      const real = await realPathOf(output);
      const other = seen.get(real);
      if (other !== undefined) throw new AutocmError(`is the same file as the output ${other}: give each output its own path`, output);
      seen.set(real, output);
    }
  }

  /** Refuses inputs inside a folder the run writes its outputs into and may clear. */
  async checkFolder(folder: string): Promise<void> {
    const root = await realPathOf(folder);
    for (const path of this.paths) {
      const real = await realPathOf(path);
      if (real === root || real.startsWith(root + sep)) throw new AutocmError(`is inside the output folder ${folder}, which this run fills and may clear: move it out or choose another output folder`, path);
    }
  }
}

/** InputGuard for one check: throws when an output would overwrite an input. */
export async function refuseOverwritingInputs(outputs: (string | undefined)[], inputs: (string | undefined)[]): Promise<void> {
  await (await InputGuard.of(inputs)).check(outputs);
}
