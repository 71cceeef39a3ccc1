import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { averageModels } from '../../src/model/average.js';
import { defaultModelPath } from '../../src/model/default-model.js';
import { loadModel, saveModel } from '../../src/model/weights.js';
import { cliPath } from '../helpers/shared-data.js';

test('model average: the element-wise mean of the U-Net weights, members recorded, calibration dropped', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'autocm-average-'));
  try {
    const base = await loadModel(defaultModelPath);
    const a = join(dir, 'a.safetensors');
    const b = join(dir, 'b.safetensors');
    await saveModel(a, base);
    await saveModel(b, { ...base, tensors: new Map([...base.tensors].map(([name, values]) => [name, values.map((v) => 3 * v + 1)])) });
    const averaged = await averageModels([a, b]);
    for (const [name, values] of averaged.tensors) {
      const original = base.tensors.get(name)!;
      values.forEach((v, i) => assert.ok(Math.abs(v - (2 * original[i]! + 0.5)) <= 1e-5 * Math.max(1, Math.abs(v)), `${name}[${i}]`));
    }
    assert.equal(averaged.metadata.threshold, undefined);
    const members = (averaged.metadata.training as { members: { path: string; sha256: string }[] }).members;
    assert.deepEqual(members.map((m) => m.path), [a, b]);

    const other = join(dir, 'other.safetensors');
    await saveModel(other, { ...base, metadata: { ...base.metadata, bands: ['red', 'nir', 'swir1', 'swir2'] } });
    await assert.rejects(averageModels([a, other]), (e: Error) => e.message.includes(other) && e.message.includes('bands'));

    const cli = spawnSync(process.execPath, [cliPath, 'model', 'average', a, b, '-o', a], { encoding: 'utf8' });
    assert.notEqual(cli.status, 0, 'an output that is an input is refused');
    const written = spawnSync(process.execPath, [cliPath, 'model', 'average', a, b, '-o', join(dir, 'mean.safetensors')], { encoding: 'utf8' });
    assert.equal(written.status, 0, written.stderr);
    assert.deepEqual((await loadModel(join(dir, 'mean.safetensors'))).tensors.get('last.conv2.bias'), averaged.tensors.get('last.conv2.bias'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
