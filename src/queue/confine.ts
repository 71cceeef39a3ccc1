import { realpath } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';

/** A path from a job payload that would leave its root: the job fails permanently with this message. */
export class PathEscapeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PathEscapeError';
  }
}

function isInside(root: string, candidate: string): boolean {
  const rel = relative(root, candidate);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

/** The real path of `path`, or of its deepest existing ancestor joined with the rest (for outputs not yet written). */
async function realpathOfExistingPart(path: string): Promise<string> {
  try {
    return await realpath(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    const parent = dirname(path);
    if (parent === path) throw error;
    return resolve(await realpathOfExistingPart(parent), relative(parent, path));
  }
}

/**
 * Resolves `path` (relative to `root`, or absolute) and proves it stays inside `root`: no `..`
 * segment at all, no absolute path elsewhere, and no symbolic link (anywhere along the existing
 * part of the path) that leads out of the root's real location. Returns the resolved real path,
 * so that what is opened later is what was checked.
 */
export async function confinePath(root: string, path: string, what: string): Promise<string> {
  if (typeof path !== 'string' || path.length === 0) throw new PathEscapeError(`${what}: empty path`);
  if (path.includes('\0')) throw new PathEscapeError(`${what}: path contains a NUL byte`);
  if (path.split(/[\\/]/).includes('..')) throw new PathEscapeError(`${what}: ${path}: '..' is not allowed in job paths`);
  const absoluteRoot = resolve(root);
  const candidate = resolve(absoluteRoot, path);
  if (!isInside(absoluteRoot, candidate)) throw new PathEscapeError(`${what}: ${path} is outside ${absoluteRoot}`);
  const realRoot = await realpath(absoluteRoot);
  const realCandidate = await realpathOfExistingPart(candidate);
  if (!isInside(realRoot, realCandidate)) {
    throw new PathEscapeError(`${what}: ${path} leads outside ${absoluteRoot} through a symbolic link (to ${realCandidate})`);
  }
  return realCandidate;
}
