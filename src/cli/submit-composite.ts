import { existsSync, statSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import type { Command } from 'commander';
import { COMPOSITE_METHODS } from '../composite/composite-methods.js';
import { connectForCommand } from '../queue/connection.js';
import { validateCompositeOptions, type CompositeJobOptions } from '../queue/payload.js';
import { submitCompositeRun, type CompositeStackRequest } from '../queue/submit-composite.js';
import { expandSubmitInputs } from '../queue/submit-inputs.js';
import { AutocmError } from '../util/errors.js';
import { parseDate } from './composite.js';
import { numberOption } from './number-option.js';
import { printResult } from './output.js';
import { addRedisOptions, redisTargetFrom } from './redis-options.js';

interface SubmitCompositeCliOptions {
  masks: string;
  output: string;
  method: string;
  threshold?: number;
  from?: string;
  to?: string;
  count?: boolean;
  allowMissing?: boolean;
  inputRoot?: string;
  outputRoot?: string;
  redis?: string;
  tlsCa?: string;
  json?: boolean;
}

/** A stack's name: its folder's (or list file's) name; it names the outputs. */
function stackName(argument: string): string {
  const trimmed = argument.replace(/[\\/]+$/, '');
  return basename(trimmed, existsSync(trimmed) && statSync(trimmed).isDirectory() ? '' : extname(trimmed));
}

/** One stack: its masks are in DIR; several: in DIR/<stack name>. */
function masksFor(name: string, masks: string, several: boolean): string {
  if (!several) return masks;
  const dir = join(masks, name);
  if (!existsSync(dir)) throw new AutocmError(`with several stacks the masks of each go in --masks DIR/<stack name>: no folder ${name} there`, dir);
  return dir;
}

export function registerSubmitComposite(program: Command): void {
  const command = program
    .command('submit-composite')
    .description('Queue one composite job per stack on Redis for `autocm worker`s (`<output>/<stack>_composite.tif`) and print the run id; follow it with `autocm status`')
    .argument('<stack...>', 'stacks, one per argument: a folder, a list file or a STAC ItemCollection of one place on one grid')
    .requiredOption('--masks <dir>', 'the masks of the stack (e.g. the output folder of `autocm submit`); with several stacks, one sub-folder per stack name')
    .requiredOption('-o, --output <dir>', 'output folder on the shared folder the workers write')
    .option('--method <name>', `${COMPOSITE_METHODS.join(', ')}`, 'mean')
    .option('--threshold <p>', "an observation is clear where its cloud probability is below this (default: the model's calibrated threshold recorded in each probability file, else 0.5)", numberOption('number'))
    .option('--from <date>', 'first acquisition date used (YYYY-MM-DD)')
    .option('--to <date>', 'last acquisition date used (YYYY-MM-DD)')
    .option('--count', 'also write <stack>_count.tif, the clear observations per pixel')
    .option('--allow-missing', 'leave out images without a mask instead of failing the job')
    .option('--input-root <dir>', 'write image paths relative to this folder (workers mount it as their --input-root)')
    .option('--output-root <dir>', 'write output (and mask) paths relative to this folder (workers mount it as their --output-root)')
    .option('--json', 'print the run as JSON');
  addRedisOptions(command).action(async (inputs: string[], options: SubmitCompositeCliOptions) => {
    const day = (value: string | undefined, flag: string) => {
      const date = parseDate(value, flag);
      return date ? date.toISOString().slice(0, 10) : null;
    };
    let compositeOptions: CompositeJobOptions;
    try {
      compositeOptions = validateCompositeOptions({
        method: options.method,
        threshold: options.threshold ?? null,
        from: day(options.from, '--from'),
        to: day(options.to, '--to'),
        count: Boolean(options.count),
        allowMissing: Boolean(options.allowMissing),
      });
    } catch (error) {
      throw new AutocmError((error as Error).message.replace('invalid job payload: ', ''));
    }
    const stacks: CompositeStackRequest[] = [];
    for (const input of inputs) {
      const name = stackName(input);
      const images = (await expandSubmitInputs([input], null)).map((scene) => scene.path);
      stacks.push({ name, images, masksDir: masksFor(name, options.masks, inputs.length > 1) });
    }
    const redis = await connectForCommand(redisTargetFrom(options));
    try {
      const result = await submitCompositeRun(redis, {
        stacks,
        dest: options.output,
        options: compositeOptions,
        ...(options.inputRoot !== undefined ? { inputRoot: options.inputRoot } : {}),
        ...(options.outputRoot !== undefined ? { outputRoot: options.outputRoot } : {}),
      });
      printResult(Boolean(options.json), result, () =>
        [
          result.runId,
          `${result.scenes} composites, ${result.added} queued now, ${result.alreadyQueued} already queued or done, ${result.retried} failed ones re-queued`,
          `follow it with: autocm status ${result.runId} --wait`,
        ].join('\n'),
      );
    } finally {
      await redis.quit();
    }
  });
}
