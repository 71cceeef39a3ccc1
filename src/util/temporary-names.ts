import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';

/** A temporary path next to `finalPath`, on the same file system so that rename is atomic. */
export function temporaryPathFor(finalPath: string): string {
  const suffix = `${process.pid}-${randomBytes(4).toString('hex')}`;
  return join(dirname(finalPath), `.${basename(finalPath)}.${suffix}.tmp`);
}

/**
 * The process id in a name of our temporary files, null for any other name: `.<name>.<pid>-<hex>.tmp`
 * (temporaryPathFor), `...tmp.tiles` (the COG writer's tile spool), `.autocm-write-probe-<pid>` (synth).
 */
export function temporaryOwner(name: string): number | null {
  const match = /^\..+\.(\d+)-[0-9a-f]{8}\.tmp(?:\.tiles)?$/.exec(name) ?? /^\.autocm-write-probe-(\d+)$/.exec(name);
  return match ? Number(match[1]) : null;
}
