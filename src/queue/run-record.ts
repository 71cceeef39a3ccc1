import type { Redis } from 'ioredis';
import { AutocmError } from '../util/errors.js';
import type { RowBand } from './payload.js';
import { runRecordKey, runRecordTtlSeconds } from './names.js';

/** One scene of a run as `status` needs it. */
export interface RunScene {
  input: string;
  stem: string;
  /** Id of the job whose completion means the scene is done (the scene job, or a split scene's assemble job). */
  jobId: string;
  /** width x height, or null when submit could not read the header (the worker will report why). */
  pixels: number | null;
  /** Row bands of a split scene (their strip job ids derive from the scene key), absent for a one-job scene. */
  bands?: RowBand[];
  sceneKey: string;
}

export interface RunRecord {
  runId: string;
  submittedAt: number;
  dest: string;
  /** The model of a predict run (a composite run has none). */
  model?: string;
  scenes: RunScene[];
}

export async function saveRunRecord(redis: Redis, record: RunRecord): Promise<void> {
  await redis.set(runRecordKey(record.runId), JSON.stringify(record), 'EX', runRecordTtlSeconds);
}

export async function loadRunRecord(redis: Redis, runId: string): Promise<RunRecord> {
  if (!/^run-[0-9a-z]+-[0-9a-f]+$/.test(runId)) throw new AutocmError('not a run id (expected run-<time>-<hex>, as printed by autocm submit)', runId);
  const text = await redis.get(runRecordKey(runId));
  if (text === null) throw new AutocmError('no such run in this Redis (wrong --redis URL, or older than 30 days)', runId);
  return JSON.parse(text) as RunRecord;
}
