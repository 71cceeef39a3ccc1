/** Several `autocm worker` processes and the submit/status CLI, for the queue's end-to-end tests. */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { cliPath } from '../helpers/shared-data.js';

export interface WorkerEvent {
  event: string;
  jobId?: string;
  kind?: string;
  worker?: string;
  pid?: number;
  skipped?: boolean;
  reason?: string;
}

/** A worker process whose JSON log lines are collected and announced as they come. */
export class WorkerProcess extends EventEmitter {
  readonly events: WorkerEvent[] = [];
  stderr = '';
  private constructor(readonly child: ChildProcess) {
    super();
  }

  static async start(redisUrl: string, root: string, extraArgs: string[] = []): Promise<WorkerProcess> {
    const child = spawn(
      process.execPath,
      [cliPath, 'worker', '--redis', redisUrl, '--input-root', root, '--output-root', root, '--lock-duration', '2000', '--stalled-interval', '1000', '--threads', '1', ...extraArgs],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const worker = new WorkerProcess(child);
    let buffered = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      let newline: number;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        const event = JSON.parse(line) as WorkerEvent;
        worker.events.push(event);
        worker.emit('event', event);
      }
    });
    child.stderr!.on('data', (chunk: Buffer) => (worker.stderr += chunk.toString()));
    await worker.waitFor((event) => event.event === 'ready', 30_000);
    return worker;
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** Resolves with the first event (logged from index `since` on, or coming) that matches. */
  waitFor(match: (event: WorkerEvent) => boolean, timeoutMs = 60_000, since = 0): Promise<WorkerEvent> {
    const seen = this.events.slice(since).find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.off('event', listener);
        reject(new Error(`worker ${this.pid}: no matching event within ${timeoutMs} ms; stderr: ${this.stderr}`));
      }, timeoutMs);
      const listener = (event: WorkerEvent): void => {
        if (!match(event)) return;
        clearTimeout(timer);
        this.off('event', listener);
        resolve(event);
      };
      this.on('event', listener);
      this.child.once('exit', (code, signal) => {
        clearTimeout(timer);
        this.off('event', listener);
        reject(new Error(`worker ${this.pid} exited (${code ?? signal}) while waiting; stderr: ${this.stderr}`));
      });
    });
  }

  kill(signal: NodeJS.Signals): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      this.child.once('exit', () => resolve());
      this.child.kill(signal);
    });
  }
}

/** Runs the CLI to completion; returns exit status and output. */
export function runCli(args: string[], timeoutMs = 120_000): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [cliPath, ...args], { encoding: 'utf8', timeout: timeoutMs, maxBuffer: 1 << 24 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Runs the CLI without blocking the event loop (tests keep receiving worker events meanwhile). */
export function runCliAsync(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cliPath, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('exit', (status) => resolve({ status, stdout, stderr }));
  });
}
