import type { Command } from 'commander';
import { connectForWorker, redactRedisUrl } from '../queue/connection.js';
import { defaultWorkerTiming, startWorker } from '../queue/worker.js';
import { AutocmError } from '../util/errors.js';
import { addRedisOptions, redisTargetFrom } from './redis-options.js';

interface WorkerCliOptions {
  redis?: string;
  tlsCa?: string;
  concurrency: string;
  threads?: string;
  provider?: string;
  inputRoot: string;
  outputRoot: string;
  lockDuration: string;
  stalledInterval: string;
}

function integerOption(value: string, flag: string, min: number, max: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new AutocmError(`${flag} must be an integer in [${min}, ${max}], got ${value}`);
  return n;
}

export function registerWorker(program: Command): void {
  const command = program
    .command('worker')
    .description('Process queued predict and composite jobs until stopped (SIGINT/SIGTERM finish the active jobs first); start one per machine, any number of machines')
    .requiredOption('--input-root <dir>', 'folder every job input and model must lie in (symbolic links leading out are refused)')
    .requiredOption('--output-root <dir>', 'folder every job output must lie in')
    .option('--concurrency <n>', 'jobs run at once, each in its own child process', '1')
    .option('--threads <n>', 'ONNX Runtime threads per job (default: cores / concurrency)')
    .option('--provider <name>', 'ONNX Runtime execution provider for every job (cpu, cuda, ...)')
    .option('--lock-duration <ms>', 'lock of an active job: a dead worker\'s job is taken over after about this long', String(defaultWorkerTiming.lockDurationMs))
    .option('--stalled-interval <ms>', 'how often to look for jobs of dead workers', String(defaultWorkerTiming.stalledIntervalMs));
  addRedisOptions(command).action(async (options: WorkerCliOptions) => {
    const target = redisTargetFrom(options);
    const settings = {
      inputRoot: options.inputRoot,
      outputRoot: options.outputRoot,
      concurrency: integerOption(options.concurrency, '--concurrency', 1, 256),
      ...(options.threads !== undefined ? { threadsPerJob: integerOption(options.threads, '--threads', 1, 1024) } : {}),
      ...(options.provider !== undefined ? { provider: options.provider } : {}),
      lockDurationMs: integerOption(options.lockDuration, '--lock-duration', 500, 3_600_000),
      stalledIntervalMs: integerOption(options.stalledInterval, '--stalled-interval', 200, 3_600_000),
      log: (event: Record<string, unknown>) => process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), ...event })}\n`),
    };
    const connection = await connectForWorker(target);
    connection.on('error', () => {
      // The worker's own 'error' events report connection trouble (rate-limited).
    });
    let running;
    try {
      running = await startWorker(connection, settings);
    } catch (error) {
      connection.disconnect();
      throw new AutocmError((error as Error).message);
    }
    process.stderr.write(`autocm worker ${running.name} on ${redactRedisUrl(target.url)}, concurrency ${settings.concurrency}\n`);
    let stopping = false;
    const stop = (signal: string): void => {
      if (stopping) {
        process.stderr.write(`autocm worker: ${signal} again, exiting now\n`);
        process.exit(130);
      }
      stopping = true;
      process.stderr.write(`autocm worker: ${signal}, finishing active jobs (again to exit at once)\n`);
      running
        .close()
        .then(() => connection.quit())
        .then(() => process.exit(0))
        .catch(() => process.exit(1));
    };
    process.on('SIGINT', () => stop('SIGINT'));
    process.on('SIGTERM', () => stop('SIGTERM'));
  });
}
