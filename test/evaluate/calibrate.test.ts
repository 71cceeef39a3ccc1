import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { calibrateThreshold } from '../../src/evaluate/calibrate.js';
import { evaluateAll } from '../../src/evaluate/evaluate-all.js';
import { expandFolders } from '../../src/evaluate/expand-folders.js';
import { loadModel, unetParameterSpecs } from '../../src/model/weights.js';
import { predictImages } from '../../src/predict/predict-images.js';
import { synthesiseToFolder } from '../../src/synth/write-folder.js';
import { sharedPath } from '../helpers/shared-data.js';
import { importAuthorsModel } from '../predict/model-fixture.js';

let cleanup: (() => void) | undefined;
after(() => cleanup?.());

test('calibrate picks the best-F1 threshold on synthetic truth, stores it, and predict then uses it by default', async (t) => {
  if (!sharedPath(t, 'reference', 'u_model_autocm.index')) return;
  const fixture = await importAuthorsModel();
  cleanup = fixture.cleanup;
  const stack = join(fixture.directory, 'stack');
  await synthesiseToFolder(stack, { size: 128, dates: 4, sensor: 'planetscope4', seed: 5, quiet: true });
  const calibrated = join(fixture.directory, 'calibrated.safetensors');
  const result = await calibrateThreshold({ model: fixture.model, images: [stack], references: [join(stack, 'masks')], output: calibrated, quiet: true });
  t.diagnostic(`threshold ${result.threshold}: F1 ${result.f1.toFixed(4)}, at 0.5: ${result.f1AtHalf?.toFixed(4)}`);
  assert.equal(result.images, 4);
  // Measured on this stack (seed 5, 128 px, 4 dates) with the authors' model: 0.56, F1 0.8236, 0.8223 at 0.5.
  assert.ok(Math.abs(result.threshold - 0.56) <= 0.02, `threshold ${result.threshold}, measured 0.56`);
  assert.ok(Math.abs(result.f1 - 0.8236) < 0.01, `F1 ${result.f1}, measured 0.8236`);
  assert.ok(Math.abs(result.f1AtHalf! - 0.8223) < 0.01, `F1 at 0.5 ${result.f1AtHalf}, measured 0.8223`);

  const model = await loadModel(calibrated);
  assert.equal(model.metadata.threshold, result.threshold);
  assert.equal(model.tensors.size, unetParameterSpecs(4).length, 'only the U-Net is kept');

  // The masks predict writes with the calibrated model (no --threshold) score the F1 the sweep promised.
  const out = join(fixture.directory, 'masks');
  const predicted = await predictImages([stack], { model: calibrated, outputDirectory: out, quiet: true });
  assert.equal(predicted.threshold, result.threshold);
  const masks = (await readdir(out)).filter((name) => name.endsWith('_cloudmask.tif')).map((name) => join(out, name));
  const scored = await evaluateAll(masks, await expandFolders([join(stack, 'masks')]));
  assert.ok(Math.abs(scored.pooled.cloud.strict.f1! - result.f1) < 0.005, `F1 of the written masks ${scored.pooled.cloud.strict.f1} vs ${result.f1}`);
  assert.equal((await predictImages([stack], { model: calibrated, outputDirectory: join(fixture.directory, 'half'), threshold: 0.5, quiet: true })).threshold, 0.5);
});
