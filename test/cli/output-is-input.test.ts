import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { defaultModelPath } from '../../src/model/default-model.js';
import { autocm, synthStack } from '../helpers/autocm-cli.js';

let dir: string;
let stack: string;
let image: string;
let mask: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'autocm-output-is-input-'));
  stack = join(dir, 'stack');
  synthStack(stack);
  image = join(stack, readdirSync(stack).find((name) => name.startsWith('img_'))!);
  mask = join(stack, 'masks', readdirSync(join(stack, 'masks'))[0]!);
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Runs autocm and checks that it refused `victim` as an output (exit 1, named) and left its bytes alone. */
function refuses(args: string[], victim: string): void {
  const before = readFileSync(victim);
  const run = autocm(args);
  assert.equal(run.status, 1, `${args.join(' ')}\n${run.stderr}`);
  assert.match(run.stderr, /^autocm: error: .+: is an input of this run \(.+\): refusing to overwrite it; choose another output path\n$/, args.join(' '));
  assert.ok(run.stderr.includes(victim.split('/').pop()!), run.stderr);
  assert.ok(readFileSync(victim).equals(before), `${victim} was changed`);
}

test('composite refuses to write over a stack image or one of its masks', () => {
  refuses(['composite', stack, '--masks', join(stack, 'masks'), '-o', image, '-q'], image);
  refuses(['composite', stack, '--masks', join(stack, 'masks'), '-o', join(dir, 'c.tif'), '--count', mask, '-q'], mask);
});

test('train refuses a model path that is one of its images, even with --force', () => {
  refuses(['train', stack, '-o', image, '--force', '--quiet'], image);
});

test('model export-onnx and model calibrate refuse to write over the model they read', () => {
  const model = join(dir, 'm.safetensors');
  copyFileSync(defaultModelPath, model);
  refuses(['model', 'export-onnx', model, '-o', model], model);
  refuses(['model', 'calibrate', model, stack, '--ref', join(stack, 'masks'), '-o', model, '--quiet'], model);
});

test('import-keras refuses to write over its checkpoint files', () => {
  const prefix = join(dir, 'keras', 'ck');
  mkdirSync(join(dir, 'keras'));
  writeFileSync(`${prefix}.index`, 'index');
  writeFileSync(`${prefix}.data-00000-of-00001`, 'data');
  refuses(['import-keras', prefix, '-o', `${prefix}.data-00000-of-00001`], `${prefix}.data-00000-of-00001`);
});

test('predict and baseline refuse an output that an input links to', () => {
  const out = join(dir, 'predicted');
  const inputs = join(dir, 'linked');
  mkdirSync(out);
  mkdirSync(inputs);
  copyFileSync(image, join(out, 'x_cloudprob.tif'));
  symlinkSync(join(out, 'x_cloudprob.tif'), join(inputs, 'x.tif'));
  refuses(['predict', join(inputs, 'x.tif'), '-o', out, '--overwrite', '--model', defaultModelPath, '--quiet'], join(out, 'x_cloudprob.tif'));
  refuses(['baseline', 'threshold', join(inputs, 'x.tif'), '-o', out, '-q'], join(out, 'x_cloudprob.tif'));
});

test('evaluate --report refuses a report file that is one of the masks it scores', () => {
  const report = join(dir, 'report');
  mkdirSync(report);
  copyFileSync(mask, join(report, 'index.html'));
  refuses(['evaluate', join(report, 'index.html'), '--ref', mask, '--report', report, '-q'], join(report, 'index.html'));
});

test('synth --ground refuses ground images inside the output folder it fills', () => {
  const out = join(dir, 'synth-out');
  mkdirSync(out);
  copyFileSync(image, join(out, 'ground.tif'));
  const before = readFileSync(join(out, 'ground.tif'));
  const run = autocm(['synth', '--ground', join(out, 'ground.tif'), '-o', out, '--force', '--quiet']);
  assert.equal(run.status, 1, run.stderr);
  assert.match(run.stderr, /ground\.tif: is inside the output folder .*synth-out, which this run fills and may clear/);
  assert.ok(readFileSync(join(out, 'ground.tif')).equals(before));
});
