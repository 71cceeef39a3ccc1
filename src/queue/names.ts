/** Redis names autocm uses; BullMQ keys live under `bull:<queue>:...`. */
export const predictQueueName = 'autocm-predict';

/** Key of the JSON record of one submitted run. */
export const runRecordKey = (runId: string): string => `autocm:run:${runId}`;

/** Runs are kept 30 days after submission. */
export const runRecordTtlSeconds = 30 * 24 * 3600;

/** Job options every autocm job gets: retried with exponential backoff, kept after it finishes (dedupe and status). */
export const jobAttempts = 3;
export const jobBackoff = { type: 'exponential', delay: 2000 } as const;
