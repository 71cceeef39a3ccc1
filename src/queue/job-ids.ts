import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { randomBytes } from 'node:crypto';
import type { PredictJobOptions, RowBand } from './payload.js';
import { payloadVersion } from './payload.js';

/** SHA-256 of a file's bytes (the model's identity in job ids). */
export async function fileSha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export interface SceneIdentity {
  /** Real path of the input. */
  input: string;
  size: number;
  mtimeMs: number;
  modelSha256: string;
  options: PredictJobOptions;
  /** Resolved output folder: the same scene written elsewhere is other work. */
  outputDir: string;
}

/**
 * The key of one scene's work: same input file (path, size, mtime), same model bytes, same
 * options, same destination -> same key. Job ids derive from it, so BullMQ refuses the second
 * copy of a job that is still in Redis, and workers recognise outputs that are already complete.
 */
export function sceneKey(identity: SceneIdentity): string {
  const canonical = JSON.stringify([
    payloadVersion,
    identity.input,
    identity.size,
    Math.round(identity.mtimeMs),
    identity.modelSha256,
    identity.options.threshold,
    identity.options.buffer,
    identity.options.format,
    identity.options.tile,
    identity.options.overlap,
    identity.options.sensor,
    identity.outputDir,
  ]);
  return createHash('sha256').update(canonical).digest('hex').slice(0, 32);
}

export const sceneJobId = (key: string): string => `scene-${key}`;
export const assembleJobId = (key: string): string => `assemble-${key}`;
export const stripJobId = (key: string, band: RowBand): string => `strip-${key}-${band.start}-${band.end}`;

export function newRunId(now = Date.now()): string {
  return `run-${now.toString(36)}-${randomBytes(6).toString('hex')}`;
}
