import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { AutocmError } from './errors.js';
import { describeFsError } from './fs-errors.js';

/**
 * Checks, before any work starts, that a file can be written at `path`: it is not a folder, and
 * the nearest existing folder above it takes files. One clear error naming the path otherwise,
 * instead of an EISDIR or EROFS after minutes of training.
 */
export async function checkOutputFile(path: string, what = 'output'): Promise<void> {
  const target = resolve(path);
  const found = await stat(target).catch(() => null);
  if (found?.isDirectory()) throw new AutocmError(`the ${what} is a folder: give a file name (e.g. ${path.replace(/\/+$/, '')}/out${extensionHint(what)})`, path);
  let folder = dirname(target);
  for (;;) {
    const info = await stat(folder).catch(() => null);
    if (info) {
      if (!info.isDirectory()) throw new AutocmError(`cannot write the ${what}: ${folder} is not a folder`, path);
      break;
    }
    const parent = dirname(folder);
    if (parent === folder) break;
    folder = parent;
  }
  await access(folder, constants.W_OK).catch((error: unknown) => {
    throw new AutocmError(`cannot write the ${what} into ${folder}: ${describeFsError(error)}`, path);
  });
}

function extensionHint(what: string): string {
  return /model/.test(what) ? '.safetensors' : /onnx/i.test(what) ? '.onnx' : '.tif';
}
