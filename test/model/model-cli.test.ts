import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import ort from 'onnxruntime-node';
import { cliPath, sharedPath } from '../helpers/shared-data.js';

function autocm(...args: string[]) {
  return spawnSync(process.execPath, [cliPath, ...args], { encoding: 'utf8' });
}

test('autocm import-keras, model info and model export-onnx work end to end on the authors\' checkpoint', async (t) => {
  const index = sharedPath(t, 'reference', 'u_model_autocm.index');
  if (!index) return;
  const dir = mkdtempSync(join(tmpdir(), 'autocm-model-cli-'));
  try {
    const model = join(dir, 'authors.safetensors');
    const imported = autocm('import-keras', index.slice(0, -'.index'.length), '-o', model, '--json');
    assert.equal(imported.status, 0, imported.stderr);
    assert.equal(JSON.parse(imported.stdout).unetParameters, 181_557);

    const info = autocm('model', 'info', model, '--json');
    assert.equal(info.status, 0, info.stderr);
    const summary = JSON.parse(info.stdout);
    assert.deepEqual(summary.bands, ['Blue', 'Green', 'Red', 'NIR']);
    assert.equal(summary.inputBands, 4);
    assert.equal(summary.sensor, 'planetscope4');
    assert.deepEqual(summary.normalisation, { mode: 'stretch', lowPercentile: 2, highPercentile: 98 });
    assert.deepEqual(summary.groups.map((g: { group: string; values: number }) => [g.group, g.values]), [
      ['down0', 5424], ['down1', 23520], ['down2', 93120], ['up0', 37344], ['up1', 14064], ['last', 7089], ['last2', 996],
    ]);
    const text = autocm('model', 'info', model);
    assert.match(text.stdout, /bands +4: Blue, Green, Red, NIR/);
    assert.match(text.stdout, /181,557 in the U-Net/);

    const onnx = join(dir, 'autocm.onnx');
    const exported = autocm('model', 'export-onnx', model, '-o', onnx);
    assert.equal(exported.status, 0, exported.stderr);
    const session = await ort.InferenceSession.create(onnx);
    assert.deepEqual(session.inputNames, ['image']);
    assert.deepEqual([...session.outputNames].sort(), ['brightness', 'mask']);
    const out = await session.run({ image: new ort.Tensor('float32', new Float32Array(4 * 8 * 16).fill(0.3), [1, 4, 8, 16]) });
    assert.deepEqual(out.mask!.dims, [1, 1, 8, 16]);
    await session.release();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the model commands fail with a clear message and leave no output behind', () => {
  const dir = mkdtempSync(join(tmpdir(), 'autocm-model-cli-'));
  try {
    const notAModel = join(dir, 'photo.safetensors');
    writeFileSync(notAModel, 'JFIF not a model');
    const info = autocm('model', 'info', notAModel);
    assert.equal(info.status, 1);
    assert.match(info.stderr, /photo\.safetensors: not an autocm \.safetensors model file/);

    const exported = autocm('model', 'export-onnx', notAModel, '-o', join(dir, 'out.onnx'));
    assert.equal(exported.status, 1);
    const imported = autocm('import-keras', join(dir, 'nothing'), '-o', join(dir, 'out.safetensors'));
    assert.equal(imported.status, 1);
    assert.match(imported.stderr, /nothing\.index: cannot read checkpoint index \(ENOENT\)/);
    const repeated = autocm('import-keras', join(dir, 'nothing'), '-o', join(dir, 'out.safetensors'), '--bands', 'blue,blue,blue,blue');
    assert.equal(repeated.status, 1);
    assert.match(repeated.stderr, /--bands names 'blue' twice/);
    const noSensor = autocm('import-keras', join(dir, 'nothing'), '-o', join(dir, 'out.safetensors'), '--sensor', 'nosuch');
    assert.equal(noSensor.status, 1);
    assert.match(noSensor.stderr, /unknown sensor "nosuch": use one of .*planetscope4/);
    const notInSensor = autocm('import-keras', join(dir, 'nothing'), '-o', join(dir, 'out.safetensors'), '--sensor', 'planetscope4', '--bands', 'blue,green,red,swir1');
    assert.equal(notInSensor.status, 1);
    assert.match(notInSensor.stderr, /--bands swir1 not in sensor planetscope4/);
    assert.deepEqual(readdirSync(dir), ['photo.safetensors']);
    assert.ok(!existsSync(join(dir, 'out.onnx')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
