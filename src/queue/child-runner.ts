import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ChildMessage, RunTaskMessage } from './child-protocol.js';
import type { JobData } from './payload.js';

/** The task failed for a reason retrying cannot fix (a corrupt input, a bad model file). */
export class PermanentTaskError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PermanentTaskError';
  }
}

const childEntry = fileURLToPath(new URL('./child-entry.js', import.meta.url));
const stderrTailLength = 2000;

export interface ChildRunOptions {
  onProgress?: (fraction: number) => void;
  signal?: AbortSignal;
  /** ONNX Runtime intra-op threads and execution provider of the child's session. */
  threads?: number;
  provider?: string;
}

/**
 * Runs one task in a fresh child process, so that a crash in native code (ONNX Runtime, a
 * decoder) or running out of memory ends this task, not the worker. The child receives only
 * the validated task over IPC; nothing is passed through a shell.
 */
export function runTaskInChild(task: JobData, options: ChildRunOptions = {}): Promise<{ pixels: number }> {
  return new Promise((resolve, reject) => {
    const child = fork(childEntry, [], {
      execArgv: [],
      env: {
        ...process.env,
        ...(options.threads !== undefined ? { AUTOCM_JOB_THREADS: String(options.threads) } : {}),
        ...(options.provider !== undefined ? { AUTOCM_JOB_PROVIDER: options.provider } : {}),
      },
      stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
      serialization: 'json',
    });
    let stderrTail = '';
    let outcome: { ok: true; pixels: number } | { ok: false; error: Error } | undefined;
    child.stderr?.on('data', (chunk: Buffer) => {
      stderrTail = (stderrTail + chunk.toString()).slice(-stderrTailLength);
    });
    child.on('message', (message: ChildMessage) => {
      if (message.type === 'progress') options.onProgress?.(message.fraction);
      else if (message.type === 'result') outcome = { ok: true, pixels: message.pixels };
      else if (message.type === 'error') outcome = { ok: false, error: message.permanent ? new PermanentTaskError(message.message) : new Error(message.message) };
    });
    const onAbort = (): void => {
      child.kill('SIGKILL');
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    child.once('error', (error) => {
      options.signal?.removeEventListener('abort', onAbort);
      reject(error);
    });
    child.once('exit', (code, signal) => {
      options.signal?.removeEventListener('abort', onAbort);
      if (outcome?.ok && code === 0) resolve({ pixels: outcome.pixels });
      else if (outcome && !outcome.ok) reject(outcome.error);
      else {
        const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
        const tail = stderrTail.trim();
        reject(new Error(`the ${task.kind} task's child process ${how}${tail ? `: ${tail}` : ''}`));
      }
    });
    const message: RunTaskMessage = { type: 'run', task };
    child.send(message);
  });
}
