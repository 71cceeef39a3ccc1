import type { Command } from 'commander';
import type { Redis } from 'ioredis';
import { connectForCommand } from '../queue/connection.js';
import { runStatus, type RunStatus } from '../queue/status.js';
import { AutocmError } from '../util/errors.js';
import { progressBar } from '../util/progress.js';
import { printResult } from './output.js';
import { addRedisOptions, redisTargetFrom } from './redis-options.js';

interface StatusCliOptions {
  redis?: string;
  tlsCa?: string;
  wait?: boolean;
  json?: boolean;
  interval: string;
}

function summaryLine(status: RunStatus): string {
  const rate = status.megapixelsPerSecond === null ? '' : `, ${status.megapixelsPerSecond.toFixed(2)} Mpx/s`;
  const skipped = status.skipped > 0 ? ` (${status.skipped} already complete)` : '';
  return `${status.runId}: ${status.done}/${status.total} done${skipped}, ${status.failed} failed, ${status.pending} pending${rate}`;
}

function statusText(status: RunStatus): string {
  const lines = [summaryLine(status), `outputs in ${status.dest}`];
  for (const scene of status.scenes) {
    if (scene.state !== 'failed' && scene.state !== 'missing') continue;
    // Errors about a file already start with its path.
    const reason = scene.reason ?? 'unknown reason';
    lines.push(`  FAILED ${reason.startsWith(scene.input) ? reason : `${scene.input}: ${reason}`}`);
  }
  for (const scene of status.scenes) {
    if (scene.state === 'active') lines.push(`  active ${scene.input} ${scene.progress ?? 0}%`);
  }
  return lines.join('\n');
}

async function waitForRun(redis: Redis, runId: string, intervalMs: number, quiet: boolean): Promise<RunStatus> {
  let status = await runStatus(redis, runId);
  const bar = progressBar('scenes', status.total, { quiet });
  try {
    while (!status.finished) {
      bar.update(status.done + status.failed, status.megapixelsPerSecond === null ? `${status.failed} failed` : `${status.failed} failed, ${status.megapixelsPerSecond.toFixed(2)} Mpx/s`);
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
      status = await runStatus(redis, runId);
    }
    bar.update(status.done + status.failed, `${status.failed} failed`);
  } finally {
    bar.stop();
  }
  return status;
}

export function registerStatus(program: Command): void {
  const command = program
    .command('status')
    .description('Progress of a submitted run: scenes done / failed (with the reason) / pending, and Mpx/s')
    .argument('<run-id>', 'the run id printed by autocm submit')
    .option('--wait', 'block with a progress bar until every scene finished; exit 0 only if all succeeded')
    .option('--interval <seconds>', 'polling interval for --wait', '1')
    .option('--json', 'print the status as JSON');
  addRedisOptions(command).action(async (runId: string, options: StatusCliOptions) => {
    const interval = Number(options.interval);
    if (!Number.isFinite(interval) || interval < 0.05 || interval > 3600) throw new AutocmError(`--interval must be a number of seconds in [0.05, 3600], got ${options.interval}`);
    const redis = await connectForCommand(redisTargetFrom(options), Boolean(options.wait));
    try {
      const status = options.wait ? await waitForRun(redis, runId, interval * 1000, Boolean(options.json)) : await runStatus(redis, runId);
      printResult(Boolean(options.json), status, () => statusText(status));
      if (options.wait && status.failed > 0) process.exitCode = 3;
    } finally {
      await redis.quit();
    }
  });
}
