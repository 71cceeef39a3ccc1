import assert from 'node:assert/strict';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { defaultModelPath } from '../../src/model/default-model.js';
import { makeDirectories } from '../../src/util/directories.js';
import { autocm, synthStack } from '../helpers/autocm-cli.js';

let dir: string;
let stack: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'autocm-unwritable-'));
  stack = join(dir, 'stack');
  synthStack(stack);
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('makeDirectories creates every missing level and refuses a path through a file', async () => {
  await makeDirectories(join(dir, 'a', 'b', 'c'));
  assert.ok(statSync(join(dir, 'a', 'b', 'c')).isDirectory());
  await makeDirectories(join(dir, 'a', 'b'));
  await writeFile(join(dir, 'file'), 'x');
  await assert.rejects(makeDirectories(join(dir, 'file', 'sub')), /sub: cannot create the folder: a part of the path is not a folder \(ENOTDIR\)/);
  await assert.rejects(makeDirectories(join(dir, 'file')), /file: cannot create the folder: .*file is not a folder/);
});

test('-o under /proc fails at once with a clear error in predict, composite and evaluate --report (Node 20\'s recursive mkdir hangs there)', async (t) => {
  if (!existsSync('/proc/self')) return t.skip('no /proc here');
  await assert.rejects(makeDirectories('/proc/autocm-test/x'), /\/proc\/autocm-test\/x: cannot create the folder: \/proc does not take new folders \(ENOENT\)/);
  const image = join(stack, readdirSync(stack).find((name) => name.startsWith('img_'))!);
  const runs = [
    ['predict', image, '-o', '/proc/autocm-test/out', '--model', defaultModelPath, '--quiet'],
    ['composite', stack, '--masks', join(stack, 'masks'), '-o', '/proc/autocm-test/out/composite.tif', '-q'],
    ['evaluate', join(stack, 'masks'), '--ref', join(stack, 'masks'), '--report', '/proc/autocm-test/report', '-q'],
  ];
  for (const args of runs) {
    const run = autocm(args, 20_000);
    assert.equal(run.status, 1, `${args[0]}: ${run.status === null ? 'still running after 20 s' : run.stderr}`);
    assert.match(run.stderr, /^autocm: error: \/proc\/autocm-test\/\S+: cannot create the (output |report )?folder: \/proc does not take new folders \(ENOENT\)\n$/, args[0]);
  }
});

test('-o naming an existing folder is refused before any work (train, composite, export-onnx), one line, exit 1', async (t) => {
  const folder = join(dir, 'a-folder');
  await makeDirectories(folder);
  const runs: [string[], RegExp][] = [
    [['train', stack, '-o', folder, '--force', '--steps', '50', '--crop', '16', '--k', '2', '--calibrate', 'none', '--quiet'], /the model file is a folder: give a file name \(e\.g\. .*a-folder\/out\.safetensors\)/],
    [['composite', stack, '--masks', join(stack, 'masks'), '-o', folder, '-q'], /the composite is a folder: give a file name \(e\.g\. .*a-folder\/out\.tif\)/],
    [['model', 'export-onnx', defaultModelPath, '-o', folder], /the ONNX file is a folder: give a file name \(e\.g\. .*a-folder\/out\.onnx\)/],
  ];
  for (const [args, problem] of runs) {
    const run = autocm(args, 30_000);
    assert.equal(run.status, 1, `${args[0]}: ${run.stderr}`);
    assert.match(run.stderr, new RegExp(`^(autocm: warning: .*\\n)*autocm: error: ${folder}: ${problem.source}\\n$`), args[0]);
    assert.doesNotMatch(run.stderr, /unexpected error|    at /);
  }
  assert.deepEqual(readdirSync(folder), []);
  // Not a test of cuda: where its libraries are missing, only our one-line error shows, not ORT's raw log.
  const image = join(stack, readdirSync(stack).find((name) => name.startsWith('img_'))!);
  const cuda = autocm(['predict', image, '-o', join(dir, 'cuda-out'), '--provider', 'cuda', '--quiet'], 60_000);
  if (cuda.status === 0) return t.diagnostic('cuda works here: nothing to check');
  assert.match(cuda.stderr, /^autocm: error: cannot start ONNX Runtime with execution provider "cuda" .*\n$/);
});
