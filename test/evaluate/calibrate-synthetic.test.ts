import assert from 'node:assert/strict';
import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { calibrateOnSynthetic, saturatedThresholdWarning, syntheticSensorFor } from '../../src/evaluate/calibrate-synthetic.js';
import { unetLayers, unetSpec } from '../../src/model/description.js';
import { defaultModelPath } from '../../src/model/default-model.js';
import { initParameters } from '../../src/model/init.js';
import { loadModel, saveModel, unetParameterSpecs } from '../../src/model/weights.js';

test('the synthetic sensor for a band list: one that has every band, or none', () => {
  assert.equal(syntheticSensorFor(['blue', 'green', 'red', 'nir']), 'planetscope4');
  assert.ok(['sentinel2-l1c', 'landsat89-l2'].includes(syntheticSensorFor(['red', 'nir', 'swir1'])!));
  assert.equal(syntheticSensorFor(['blue', 'thermal-infrared-42']), null);
});

test("the data's own platform is preferred when its synthetic sensor has the bands", () => {
  assert.equal(syntheticSensorFor(['blue', 'green', 'red', 'nir'], 'sentinel2-l2a'), 'sentinel2-l1c');
  assert.equal(syntheticSensorFor(['red', 'nir', 'swir1'], 'landsat457-sr'), 'landsat89-l2');
  assert.equal(syntheticSensorFor(['red', 'nir', 'swir1'], 'sentinel2-l1c'), 'sentinel2-l1c');
  assert.equal(syntheticSensorFor(['red', 'nir', 'swir1'], 'planetscope4'), syntheticSensorFor(['red', 'nir', 'swir1']), 'PlanetScope has no SWIR1: the first sensor that does');
  assert.equal(syntheticSensorFor(['blue', 'green', 'red', 'nir'], 'cbers4-awfi'), 'planetscope4', 'an unknown platform: the first sensor with the bands');
});

test('a model that separates synthetic clouds gets a threshold; an untrained one keeps 0.5 and its file', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'autocm-synthetic-calibration-'));
  try {
    const good = join(dir, 'good.safetensors');
    await copyFile(defaultModelPath, good);
    const scoredOnly = await calibrateOnSynthetic(good, ['blue', 'green', 'red', 'nir'], { threads: 1, write: false });
    assert.ok((await readFile(good)).equals(await readFile(defaultModelPath)), 'write: false leaves the model file as it was');
    const calibrated = await calibrateOnSynthetic(good, ['blue', 'green', 'red', 'nir'], { threads: 1 });
    assert.ok(!('skipped' in calibrated), JSON.stringify(calibrated));
    assert.equal((await loadModel(good)).metadata.threshold, calibrated.threshold);
    assert.ok(!('skipped' in scoredOnly) && scoredOnly.threshold === calibrated.threshold && scoredOnly.f1 === calibrated.f1 && scoredOnly.output === null, JSON.stringify(scoredOnly));
    assert.ok(calibrated.f1 > 0.8, `F1 ${calibrated.f1}`);
    assert.equal(saturatedThresholdWarning(calibrated), null, `threshold ${calibrated.threshold}`);
    // CBERS adapted at 300 steps (docs/accuracy.md): the sweep's best is p >= 1.
    assert.match(saturatedThresholdWarning({ threshold: 1, f1: 0.579 }) ?? '', /threshold on synthetic truth is 1 \(F1 0\.579\).*saturated/);
    assert.equal(saturatedThresholdWarning({ threshold: 0.99, f1: 0.9 }), null);

    const untrained = join(dir, 'untrained.safetensors');
    const base = await loadModel(defaultModelPath);
    await saveModel(untrained, { ...base, metadata: { ...base.metadata, threshold: undefined, calibration: undefined }, tensors: initParameters(unetLayers(unetSpec(4)), 3), shapes: new Map(unetParameterSpecs(4).map((p) => [p.name, p.shape])) });
    const before = await readFile(untrained);
    const skipped = await calibrateOnSynthetic(untrained, ['blue', 'green', 'red', 'nir'], { threads: 1 });
    assert.ok('skipped' in skipped && /does not separate/.test(skipped.skipped), JSON.stringify(skipped));
    assert.ok((await readFile(untrained)).equals(before), 'the model file is left as it was');
    assert.deepEqual(await calibrateOnSynthetic(untrained, ['thermal-infrared-42']), { skipped: 'no synthetic sensor has the bands thermal-infrared-42' });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
