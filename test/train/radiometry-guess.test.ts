import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { autocm } from '../helpers/autocm-cli.js';
import { requireGdal } from '../helpers/gdal.js';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'autocm-train-guess-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('train records a guessed radiometry (unknown Sentinel-2 baseline) in the model, and model info shows it', async (t) => {
  if (!requireGdal(t)) return;
  const stack = join(dir, 's2');
  const synth = autocm(['synth', '-o', stack, '--size', '64', '--dates', '6', '--sensor', 'sentinel2-l1c', '--quiet']);
  assert.equal(synth.status, 0, synth.stderr);
  // Drop PROCESSING_BASELINE from every date: the baseline is then assumed (a guess).
  execFileSync('/usr/bin/python3', ['-c', `
import glob
from osgeo import gdal
for path in glob.glob(${JSON.stringify(join(stack, 'img_*.tif'))}):
    ds = gdal.Open(path, gdal.GA_Update)
    md = ds.GetMetadata(); md.pop('PROCESSING_BASELINE', None); ds.SetMetadata(md)
    ds = None
`], { env: { ...process.env, GDAL_PAM_ENABLED: 'NO' } });
  const model = join(dir, 'guess.safetensors');
  const trained = autocm(['train', stack, '-o', model, '--steps', '1', '--crop', '32', '--k', '2', '--calibrate', 'none', '--threads', '1', '--quiet'], 120_000);
  assert.equal(trained.status, 0, trained.stderr);
  assert.match(trained.stderr, /img_\d{8}\.tif and 5 more: Sentinel-2 processing baseline unknown: assumed before 04\.00/);
  const info = autocm(['model', 'info', model, '--json']);
  assert.equal(info.status, 0, info.stderr);
  const guesses = (JSON.parse(info.stdout) as { radiometryGuesses?: string[] }).radiometryGuesses;
  assert.equal(guesses?.length, 1);
  assert.match(guesses[0]!, /img_\d{8}\.tif and 5 more: Sentinel-2 processing baseline unknown: assumed before 04\.00/);
  const text = autocm(['model', 'info', model]);
  assert.match(text.stdout, /radiometry +guessed in training: .*processing baseline unknown/);
});
