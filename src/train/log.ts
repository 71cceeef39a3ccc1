import { readFile } from 'node:fs/promises';
import { writeFileAtomically } from '../util/atomic.js';
import { writeFileFully } from '../util/write-fully.js';

/** One line of `<model>.log.jsonl`. */
export interface StepLog {
  step: number;
  loss: number;
  rec: number;
  spatial: number;
  temporal: number;
  /** Wall-clock seconds of this step. */
  seconds: number;
}

export function logPathFor(modelPath: string): string {
  return `${modelPath}.log.jsonl`;
}

/** Reads a step log; lines after `maxStep` (steps lost since the checkpoint) are dropped and the file rewritten. */
export async function readStepLog(path: string, maxStep = Infinity): Promise<StepLog[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return [];
  }
  const entries = text
    .split('\n')
    .filter((line) => line.trim().length > 0)
    .flatMap((line) => {
      try {
        return [JSON.parse(line) as StepLog];
      } catch {
        return []; // a line cut by a kill
      }
    })
    .filter((e) => e.step <= maxStep);
  await writeFileAtomically(path, entries.map((e) => JSON.stringify(e) + '\n').join(''));
  return entries;
}

/** Writes the whole log of a run (its first lines reach the disk with its first checkpoint). */
export async function writeStepLog(path: string, entries: StepLog[]): Promise<void> {
  await writeFileFully(path, entries.map((e) => JSON.stringify(e) + '\n').join(''));
}

export async function appendStepLog(path: string, entry: StepLog): Promise<void> {
  await writeFileFully(path, JSON.stringify(entry) + '\n', { append: true });
}
