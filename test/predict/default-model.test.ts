import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { evaluateAll } from '../../src/evaluate/evaluate-all.js';
import { expandFolders } from '../../src/evaluate/expand-folders.js';
import { defaultModelPath } from '../../src/model/default-model.js';
import { loadModel } from '../../src/model/weights.js';
import { synthesiseToFolder } from '../../src/synth/write-folder.js';
import { cliPath, sharedPath } from '../helpers/shared-data.js';

const directory = mkdtempSync(join(tmpdir(), 'autocm-default-model-'));
after(() => rmSync(directory, { recursive: true, force: true }));

function predict(...args: string[]) {
  const run = spawnSync(process.execPath, [cliPath, 'predict', ...args, '--json', '--quiet'], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  return JSON.parse(run.stdout);
}

test('the shipped model is a calibrated 4-band reflectance model trained by autocm train', async () => {
  const model = await loadModel(defaultModelPath);
  assert.deepEqual(model.metadata.bands, ['blue', 'green', 'red', 'nir']);
  assert.deepEqual(model.metadata.normalisation, { mode: 'reflectance' });
  assert.equal(model.metadata.sensor, null);
  assert.ok(model.metadata.threshold! > 0 && model.metadata.threshold! < 1);
  assert.match(String(model.metadata.training?.command), /^autocm train /);
});

test('predict without --model uses the shipped model: synthetic truth and the labelled Landsat-5 scene', async (t) => {
  const stack = join(directory, 'synth');
  await synthesiseToFolder(stack, { size: 192, dates: 6, sensor: 'planetscope4', seed: 99, quiet: true });
  const synthetic = predict(stack, '-o', join(directory, 'synth-masks'));
  assert.match(synthetic.model, /autocm-default\.safetensors$/);
  const model = await loadModel(defaultModelPath);
  assert.equal(synthetic.threshold, model.metadata.threshold);
  const scored = await evaluateAll(await expandFolders([join(directory, 'synth-masks')]), await expandFolders([join(stack, 'masks')]));
  const syntheticF1 = scored.pooled.cloud.strict.f1!;
  t.diagnostic(`default model F1 on synthetic truth: ${syntheticF1.toFixed(3)}`);
  assert.ok(syntheticF1 > 0.85, `F1 ${syntheticF1}`);

  const ukis = sharedPath(t, 'data', 'ukis-landsat5');
  if (!ukis) return;
  predict(join(ukis, 'img_landsat5.tif'), '--sensor', 'landsat457-sr', '-o', join(directory, 'ukis'));
  const real = await evaluateAll([join(directory, 'ukis', 'img_landsat5_cloudmask.tif')], [join(ukis, 'masks', 'mask_landsat5.tif')]);
  const realF1 = real.pooled.cloud.strict.f1!;
  t.diagnostic(`default model F1 on ukis-landsat5: ${realF1.toFixed(3)} (threshold baseline 0.647)`);
  assert.ok(realF1 > 0.64, `F1 ${realF1}`);
});
