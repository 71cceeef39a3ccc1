import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { trainFromOptions } from '../../src/cli/train.js';
import { unetLayers, unetSpec } from '../../src/model/description.js';
import { defaultModelPath } from '../../src/model/default-model.js';
import { initParameters } from '../../src/model/init.js';
import { loadModel, saveModel, unetParameterSpecs } from '../../src/model/weights.js';
import { synthesiseToFolder } from '../../src/synth/write-folder.js';
import { checkpointPathFor } from '../../src/train/checkpoint.js';
import { DEFAULT_CONFIG } from '../../src/train/config.js';
import { AdaptationRejected, adaptationVerdict, rejectedPathFor } from '../../src/train/adaptation-guard.js';

test('an adapted model is refused only when it collapsed: no threshold, or only p >= 1, on the synthetic truth', () => {
  const baseline = { model: 'start.safetensors', f1: 0.911 };
  // Adapted on synthetic Sentinel-2 (docs/accuracy.md): lower on the PlanetScope calibration truth, better on its own sensor.
  assert.equal(adaptationVerdict(baseline, { threshold: 0.06, f1: 0.776 }), null);
  assert.equal(adaptationVerdict(baseline, { threshold: 0.99, f1: 0.95 }), null);
  // CBERS adapted at 300 steps: best threshold 1, F1 0.579.
  assert.match(adaptationVerdict(baseline, { threshold: 1, f1: 0.579 }) ?? '', /saturated: its best threshold .* is 1 \(F1 0\.579.*\(start\.safetensors\) has F1 0\.911/);
  assert.match(adaptationVerdict(baseline, { skipped: 'does not separate' }) ?? '', /no longer separates clouds .*does not separate/);
  assert.equal(rejectedPathFor('/o/m.safetensors'), '/o/m.rejected.safetensors');
  assert.equal(rejectedPathFor('/o/m'), '/o/m.rejected.safetensors');
});

test('train with a baseline sets a collapsed model aside: no model under the output name, the rest of the run kept', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'autocm-adaptation-guard-'));
  try {
    const stack = join(dir, 'stack');
    await synthesiseToFolder(stack, { size: 64, dates: 6, seed: 41, sensor: 'planetscope4', quiet: true });
    // A model that separates nothing, trained 2 steps: calibration finds no threshold.
    const untrained = join(dir, 'untrained.safetensors');
    const base = await loadModel(defaultModelPath);
    await saveModel(untrained, { ...base, metadata: { ...base.metadata, threshold: undefined, calibration: undefined }, tensors: initParameters(unetLayers(unetSpec(4)), 3), shapes: new Map(unetParameterSpecs(4).map((p) => [p.name, p.shape])) });
    const output = join(dir, 'adapted.safetensors');
    await assert.rejects(
      trainFromOptions([stack], {
        ...DEFAULT_CONFIG,
        output,
        init: untrained,
        bands: 'blue,green,red,nir',
        calibrate: 'synthetic',
        steps: 2,
        k: 2,
        crop: 32,
        checkpointEvery: 50,
        threads: 1,
        quiet: true,
        silent: true,
        baseline: { model: defaultModelPath, f1: 0.9 },
      }),
      (error: unknown) => error instanceof AdaptationRejected && /no longer separates clouds/.test(error.message) && error.rejectedModel === rejectedPathFor(output),
    );
    assert.equal(existsSync(output), false, 'nothing under the output name');
    assert.equal((await loadModel(rejectedPathFor(output))).metadata.bands.length, 4, 'the refused model is kept aside, whole');
    const kept = await readdir(dir);
    assert.ok(existsSync(checkpointPathFor(output)), `checkpoint kept: ${kept.join(', ')}`);
    assert.ok(kept.some((f) => f.startsWith('adapted') && f.endsWith('.md')), `training report kept: ${kept.join(', ')}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
