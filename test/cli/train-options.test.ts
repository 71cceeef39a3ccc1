import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { checkTrainNumbers, type TrainNumbers } from '../../src/cli/train-options.js';
import { autocm, synthStack } from '../helpers/autocm-cli.js';

let dir: string;
let stack: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'autocm-train-options-'));
  stack = join(dir, 'stack');
  synthStack(stack);
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const SMALL = ['--crop', '16', '--k', '2', '--steps', '1', '--threads', '1', '--quiet', '--calibrate', 'none'];
const DEFAULTS: TrainNumbers = { crop: 200, k: 10, lr: 1e-4, spatialWeight: 0.01, temporalWeight: 0.01, margin: 0.2, minValid: 0.5, seed: 0, checkpointEvery: 50 };

test('every numeric train option out of range is refused, naming the option', () => {
  checkTrainNumbers(DEFAULTS);
  checkTrainNumbers({ ...DEFAULTS, steps: 1, epochs: 0.5, grid: 1, threads: 1, maxSpanDays: 0.5, spatialWeight: 0, margin: 0, minValid: 1, seed: 4294967295 });
  const bad: [keyof TrainNumbers, number, string][] = [
    ['steps', 0, '--steps'], ['epochs', 0, '--epochs'], ['crop', 0, '--crop'], ['crop', 12, '--crop'], ['k', 0, '--k'], ['k', 1, '--k'],
    ['grid', 0, '--grid'], ['grid', -8, '--grid'], ['lr', -1, '--lr'], ['lr', 0, '--lr'], ['spatialWeight', -1, '--spatial-weight'],
    ['temporalWeight', -0.5, '--temporal-weight'], ['margin', -1, '--margin'], ['minValid', 1.5, '--min-valid'], ['minValid', -0.1, '--min-valid'],
    ['seed', -1, '--seed'], ['threads', 0, '--threads'], ['checkpointEvery', 0, '--checkpoint-every'], ['maxSpanDays', 0, '--max-span-days'],
  ];
  for (const [key, value, flag] of bad) {
    assert.throws(() => checkTrainNumbers({ ...DEFAULTS, [key]: value }), new RegExp(`^AutocmError: ${flag} must be .*, got ${value}$`), `${key} ${value}`);
  }
});

test('train --grid 0, --k 0, --lr -1, --margin -1: a clear error and exit 1, no crash and no stack trace', () => {
  for (const [flag, value] of [['--grid', '0'], ['--k', '0'], ['--lr', '-1'], ['--margin', '-1']]) {
    const run = autocm(['train', stack, '-o', join(dir, 'never.safetensors'), ...SMALL, flag!, value!], 30_000);
    assert.equal(run.status, 1, `${flag} ${value}: ${run.stderr}`);
    assert.match(run.stderr, new RegExp(`^autocm: error: ${flag} must be [^\\n]*, got ${value}\\n$`));
  }
  assert.ok(!existsSync(join(dir, 'never.safetensors')));
});

test('train -o an existing model (or beside its checkpoint) is refused without --force or --resume; --force replaces model, log and checkpoint', () => {
  const model = join(dir, 'm.safetensors');
  const first = autocm(['train', stack, '-o', model, ...SMALL]);
  assert.equal(first.status, 0, first.stderr);
  const trained = readFileSync(model);

  const again = autocm(['train', stack, '-o', model, ...SMALL]);
  assert.equal(again.status, 1, again.stderr);
  assert.match(again.stderr, /m\.safetensors: exists: pass --force to train a new model in its place, or --resume CHECKPOINT/);
  assert.ok(readFileSync(model).equals(trained), 'the trained model is untouched');

  rmSync(model);
  const besideCheckpoint = autocm(['train', stack, '-o', model, ...SMALL]);
  assert.equal(besideCheckpoint.status, 1, besideCheckpoint.stderr);
  assert.match(besideCheckpoint.stderr, /m\.checkpoint\.safetensors: a training checkpoint exists: pass --resume .*m\.checkpoint\.safetensors to continue that run, or --force/);

  const forced = autocm(['train', stack, '-o', model, ...SMALL, '--force', '--seed', '5']);
  assert.equal(forced.status, 0, forced.stderr);
  assert.ok(existsSync(model) && existsSync(join(dir, 'm.checkpoint.safetensors')));
  assert.equal(readFileSync(`${model}.log.jsonl`, 'utf8').trim().split('\n').length, 1, 'the old log was replaced, not continued');
});
