import type { JobData } from './payload.js';

/** Parent -> child: the one task the child runs, with paths already confined and resolved. */
export interface RunTaskMessage {
  type: 'run';
  task: JobData;
}

/** Child -> parent messages. */
export type ChildMessage =
  | { type: 'progress'; fraction: number }
  | { type: 'result'; pixels: number }
  | { type: 'error'; message: string; permanent: boolean };
