import { join } from 'node:path';
import type { JobData, RowBand } from './payload.js';

/** Where a job's files go inside its output folder. Paths derive from validated fields only. */
export function probabilityPath(outputDir: string, stem: string): string {
  return join(outputDir, `${stem}_cloudprob.tif`);
}

export function maskPath(outputDir: string, stem: string): string {
  return join(outputDir, `${stem}_cloudmask.tif`);
}

/** Bookkeeping folder of the queue inside an output folder. */
export function queueAreaPath(outputDir: string): string {
  return join(outputDir, '.autocm');
}

/** Written last, atomically, when a scene's outputs are complete; names the scene key that produced them. */
export function doneMarkerPath(outputDir: string, stem: string): string {
  return join(queueAreaPath(outputDir), `${stem}.done.json`);
}

/** Scratch folder of a split scene: one probability strip per row band. Removed after assembly. */
export function partsPath(outputDir: string, sceneKey: string): string {
  return join(queueAreaPath(outputDir), 'parts', sceneKey);
}

export function stripPath(outputDir: string, sceneKey: string, band: RowBand): string {
  return join(partsPath(outputDir, sceneKey), `rows-${band.start}-${band.end}.f32`);
}

export function compositePath(outputDir: string, stem: string): string {
  return join(outputDir, `${stem}_composite.tif`);
}

export function clearCountPath(outputDir: string, stem: string): string {
  return join(outputDir, `${stem}_count.tif`);
}

/**
 * The files a scene, assemble or composite job writes, and the stem of its done marker (a
 * composite's marker is `<stem>_composite`, so that it never meets an image's of the same stem).
 */
export function jobOutputs(task: Exclude<JobData, { kind: 'strip' }>): { markerStem: string; files: string[] } {
  if (task.kind === 'composite') {
    const files = [compositePath(task.outputDir, task.stem)];
    if (task.options.count) files.push(clearCountPath(task.outputDir, task.stem));
    return { markerStem: `${task.stem}_composite`, files };
  }
  return { markerStem: task.stem, files: [probabilityPath(task.outputDir, task.stem), maskPath(task.outputDir, task.stem)] };
}
