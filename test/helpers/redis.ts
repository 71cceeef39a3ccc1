import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A redis-server started for a test on 127.0.0.1, with its own temporary folder. */
export interface TestRedis {
  readonly port: number;
  readonly url: string;
  readonly dir: string;
  /** Stops the server gracefully (SIGTERM: with persistence on, it writes its data first). */
  stop(): Promise<void>;
  /** Starts it again on the same port and folder (after `stop`). */
  restart(): Promise<void>;
  /** Stops the server and removes its folder. */
  dispose(): Promise<void>;
}

export const redisServerPath = process.env.AUTOCM_REDIS_SERVER ?? '/usr/bin/redis-server';

/** A TCP port that was free a moment ago. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function launch(port: number, dir: string, persistent: boolean, password: string | undefined): Promise<ChildProcess> {
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--protected-mode', 'yes'];
  if (password !== undefined) args.push('--requirepass', password);
  // appendfsync always: a restart loses no acknowledged queue operation.
  args.push(...(persistent ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no']));
  const child = spawn(redisServerPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let log = '';
    const onData = (chunk: Buffer): void => {
      log += chunk.toString();
      if (log.includes('Ready to accept connections')) {
        child.stdout?.off('data', onData);
        child.stdout?.resume();
        resolve(child);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`redis-server exited (${code}) before it was ready:\n${log}`)));
    child.once('error', reject);
  });
}

function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/**
 * Starts redis-server on a free port; `persistent` turns the append-only file on so a restart
 * keeps the queue; `password` requires AUTH (the URL then carries it).
 */
export async function startRedis(options: { persistent?: boolean; password?: string } = {}): Promise<TestRedis> {
  const persistent = options.persistent ?? false;
  const password = options.password;
  const dir = await mkdtemp(join(tmpdir(), 'autocm-redis-'));
  const port = await freePort();
  let child: ChildProcess | undefined = await launch(port, dir, persistent, password);
  return {
    port,
    dir,
    url: password === undefined ? `redis://127.0.0.1:${port}` : `redis://:${encodeURIComponent(password)}@127.0.0.1:${port}`,
    async stop() {
      if (child) await stopProcess(child);
      child = undefined;
    },
    async restart() {
      if (child) await stopProcess(child);
      child = await launch(port, dir, persistent, password);
    },
    async dispose() {
      if (child) await stopProcess(child);
      child = undefined;
      await rm(dir, { recursive: true, force: true });
    },
  };
}
