import { spawnSync } from 'node:child_process';
import { cliPath } from './shared-data.js';

/** Runs the compiled CLI; a run past `timeout` ms is killed (status null). */
export function autocm(args: string[], timeout = 60_000): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, [cliPath, ...args], { encoding: 'utf8', timeout });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** A small synthetic stack (`autocm synth`) in `dir`: img_YYYYMMDD.tif and masks/. */
export function synthStack(dir: string, size = 64, dates = 6): void {
  const run = autocm(['synth', '-o', dir, '--size', String(size), '--dates', String(dates), '--quiet']);
  if (run.status !== 0) throw new Error(`autocm synth failed: ${run.stderr}`);
}
