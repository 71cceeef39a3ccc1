import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createMaskSession } from '../../src/engine/mask-session.js';
import { calibrateOnSets, readCalibrationSets } from '../../src/evaluate/calibrate-sets.js';
import { evaluateAll } from '../../src/evaluate/evaluate-all.js';
import { expandFolders } from '../../src/evaluate/expand-folders.js';
import {
  LOGIT_BINS,
  bestMeanF1Bin,
  emptyLogitHistogram,
  fitSlope,
  logitBin,
  logitOfBin,
  operatingPoints,
} from '../../src/evaluate/logit-histogram.js';
import { defaultModelPath } from '../../src/model/default-model.js';
import { foldCalibration } from '../../src/model/fold-calibration.js';
import { loadModel } from '../../src/model/weights.js';
import { predictImages } from '../../src/predict/predict-images.js';
import { REAL_SETS } from '../../src/evaluate/real-sets.js';
import { sharedPath } from '../helpers/shared-data.js';

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

test('the best mean-F1 threshold separates two sets whose clouds sit at different probabilities', () => {
  // Set A: clear at logit -2, cloud at +2. Set B (a darker sensor): clear at -4, cloud at 0.
  const a = emptyLogitHistogram();
  const b = emptyLogitHistogram();
  a.negatives[logitBin(sigmoid(-2))] = 1000;
  a.positives[logitBin(sigmoid(2))] = 100;
  b.negatives[logitBin(sigmoid(-4))] = 1000;
  b.positives[logitBin(sigmoid(0))] = 10;
  const best = bestMeanF1Bin([operatingPoints(a), operatingPoints(b)]);
  assert.equal(best.meanF1, 1);
  // Lowest bin that keeps every clear pixel of A out: just above -2, and at most 0 (B's clouds).
  assert.ok(logitOfBin(best.bin) > -2 && logitOfBin(best.bin) <= 0, `threshold logit ${logitOfBin(best.bin)}`);
  // A's best alone would be anywhere in (-2, 2]; with A alone, F1 at B's cloud level is still 1.
  assert.equal(operatingPoints(a)[logitBin(sigmoid(0))]!.f1, 1);
  assert.equal(operatingPoints(b)[logitBin(sigmoid(1))]!.f1, 0);
});

test('the fitted slope recovers a logistic relation between logit and cloud frequency', () => {
  for (const trueSlope of [0.5, 1, 2]) {
    const h = emptyLogitHistogram();
    for (let bin = 0; bin < LOGIT_BINS; bin++) {
      const z = logitOfBin(bin);
      const density = Math.exp(-(z * z) / 8) * 1000;
      h.positives[bin] = density * sigmoid(trueSlope * (z - 1));
      h.negatives[bin] = density * (1 - sigmoid(trueSlope * (z - 1)));
    }
    const slope = fitSlope([h], 1);
    assert.ok(Math.abs(slope - trueSlope) < 0.01 * trueSlope, `slope ${slope} vs ${trueSlope}`);
  }
});

test('folding the calibration into the mask head gives sigmoid(slope (logit p - t)) and leaves the brightness head alone', async (t) => {
  if (!sharedPath(t, 'data')) return;
  const model = await loadModel(defaultModelPath);
  const folded = foldCalibration(model, 2.5, -1.7);
  const size = 64;
  const input = new Float32Array(4 * size * size);
  for (let i = 0; i < input.length; i++) input[i] = 0.05 + 0.5 * Math.abs(Math.sin(i * 0.37)) * (i % 7 === 0 ? 1 : 0.3);
  const before = await createMaskSession(model, { threads: 1 });
  const after = await createMaskSession(folded, { threads: 1 });
  try {
    const p = await before.run(input, 1, size, size);
    const q = await after.run(input, 1, size, size);
    let worst = 0;
    for (let i = 0; i < p.mask.length; i++) {
      const z = Math.log(p.mask[i]! / (1 - p.mask[i]!));
      worst = Math.max(worst, Math.abs(q.mask[i]! - sigmoid(2.5 * (z + 1.7))));
    }
    assert.ok(worst < 1e-5, `largest difference ${worst}`);
    assert.deepEqual(q.brightness, p.brightness);
  } finally {
    await before.release();
    await after.release();
  }
});

test('calibration on the shared real sets: folded threshold 0.5 reproduces each set\'s F1, left-out scores are reported', async (t) => {
  if (!sharedPath(t, 'data', 'ukis-landsat5')) return;
  const work = await mkdtemp(join(tmpdir(), 'autocm-calsets-'));
  try {
    const setsFile = join(work, 'sets.json');
    await writeFile(setsFile, JSON.stringify(REAL_SETS.map((s) => ({ name: s.name, images: s.images, references: [s.references], sensor: s.sensor }))));
    const sets = await readCalibrationSets(setsFile);
    const output = join(work, 'calibrated.safetensors');
    const result = await calibrateOnSets({ model: defaultModelPath, sets, output, quiet: true });
    t.diagnostic(JSON.stringify(result.sets.map((s) => [s.name, s.chosen.f1, s.leftOut.f1, s.ownBest.f1])));
    assert.equal(result.sets.length, 3);
    assert.deepEqual(result.sets.map((s) => s.images), [1, 5, 24], 'images counted after expanding folders');
    const calibrated = await loadModel(output);
    assert.equal(calibrated.metadata.threshold, 0.5);
    for (const [i, set] of sets.entries()) {
      const row = result.sets[i]!;
      assert.ok(row.ownBest.f1! >= row.chosen.f1! && row.ownBest.f1! >= row.leftOut.f1!, `${set.name}: no threshold beats the set's own best`);
      const predicted = await predictImages(set.images, { model: output, outputDirectory: join(work, set.name), sensor: set.sensor, format: 'float32', shadows: false, quiet: true });
      const scored = await evaluateAll(predicted.images.map((image) => image.outputs.probability), await expandFolders(set.references), { threshold: 0.5 });
      assert.ok(Math.abs(scored.pooled.cloud.strict.f1! - row.chosen.f1!) < 0.01, `${set.name}: F1 at 0.5 of the folded model ${scored.pooled.cloud.strict.f1} vs ${row.chosen.f1}`);
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
});

test('a sets file with a set that has no images is refused with the file named', async () => {
  const work = await mkdtemp(join(tmpdir(), 'autocm-calsets-'));
  try {
    const setsFile = join(work, 'sets.json');
    await writeFile(setsFile, JSON.stringify([{ name: 'a', images: [], references: ['x'] }]));
    await assert.rejects(readCalibrationSets(setsFile), (e: Error) => e.message.includes(setsFile) && e.message.includes('images'));
    await writeFile(setsFile, '{ not json');
    await assert.rejects(readCalibrationSets(setsFile), (e: Error) => e.message.includes(setsFile));
  } finally {
    await rm(work, { recursive: true, force: true });
  }
});
