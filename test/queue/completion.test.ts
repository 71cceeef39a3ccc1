import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { temporaryPathFor } from '../../src/util/atomic.js';
import { markComplete, outputsComplete, removeStaleTemporaries } from '../../src/queue/completion.js';

const key = '0123456789abcdef0123456789abcdef';
const outputsOf = (dir: string, stem: string) => [join(dir, `${stem}_cloudprob.tif`), join(dir, `${stem}_cloudmask.tif`)];
const sceneOutputsComplete = (dir: string, stem: string, sceneKey: string) => outputsComplete(dir, stem, sceneKey, outputsOf(dir, stem));

test('a scene is complete only with both outputs and a done marker naming the same scene key', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'autocm-completion-'));
  try {
    assert.equal(await sceneOutputsComplete(dir, 'a', key), false);
    await writeFile(join(dir, 'a_cloudprob.tif'), 'x');
    await writeFile(join(dir, 'a_cloudmask.tif'), 'x');
    // Outputs from some other run (or a plain predict) without a marker: not this work.
    assert.equal(await sceneOutputsComplete(dir, 'a', key), false);
    await markComplete(dir, 'a', key, { jobId: 'scene-x' });
    assert.equal(await sceneOutputsComplete(dir, 'a', key), true);
    assert.equal(await sceneOutputsComplete(dir, 'a', 'f'.repeat(32)), false, 'other model or options');
    await rm(join(dir, 'a_cloudmask.tif'));
    assert.equal(await sceneOutputsComplete(dir, 'a', key), false, 'an output went missing');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('removeStaleTemporaries removes the half-written files of one stem only', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'autocm-stale-'));
  try {
    const stale = [temporaryPathFor(join(dir, 'a_cloudprob.tif')), `${temporaryPathFor(join(dir, 'a_cloudprob.tif'))}.tiles`, temporaryPathFor(join(dir, 'a_cloudmask.tif'))];
    const kept = ['a_cloudprob.tif', 'b_cloudprob.tif', temporaryPathFor(join(dir, 'b_cloudmask.tif')), temporaryPathFor(join(dir, 'a.b_cloudmask.tif')), 'notes.tmp'];
    for (const path of [...stale, ...kept]) await writeFile(path.startsWith('/') ? path : join(dir, path), 'x');
    assert.equal(await removeStaleTemporaries(dir, outputsOf(dir, 'a')), 3);
    const left = (await readdir(dir)).sort();
    assert.deepEqual(left, kept.map((path) => path.replace(`${dir}/`, '')).sort());
    assert.equal(await removeStaleTemporaries(join(dir, 'missing'), outputsOf(join(dir, 'missing'), 'a')), 0);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
