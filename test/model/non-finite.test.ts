import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { defaultModelPath } from '../../src/model/default-model.js';
import { encodeModel, loadModel, saveModel, type ModelFile } from '../../src/model/weights.js';
import { autocm, synthStack } from '../helpers/autocm-cli.js';

let dir: string;
let broken: string;
let tensor: string;
let good: ModelFile;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'autocm-non-finite-'));
  good = await loadModel(defaultModelPath);
  tensor = [...good.tensors.keys()][3]!;
  const tensors = new Map(good.tensors);
  const values = Float32Array.from(tensors.get(tensor)!);
  values[5] = Number.NaN;
  values[7] = Number.POSITIVE_INFINITY;
  tensors.set(tensor, values);
  broken = join(dir, 'nan.safetensors');
  await writeFile(broken, encodeModel({ ...good, tensors }));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const message = () => new RegExp(`nan\\.safetensors: tensor ${tensor.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} holds 2 non-finite values \\(first: NaN at index 5\\): the model is broken`);

test('loadModel and saveModel refuse NaN or infinite weights, naming the tensor; optimiser state may overflow', async () => {
  await assert.rejects(loadModel(broken), message());
  const tensors = new Map(good.tensors);
  tensors.set(tensor, Float32Array.from(tensors.get(tensor)!, (v, i) => (i === 0 ? Number.NEGATIVE_INFINITY : v)));
  await assert.rejects(saveModel(join(dir, 'out.safetensors'), { ...good, tensors }), /out\.safetensors: tensor .* holds 1 non-finite value \(first: -Infinity at index 0\)/);
  assert.ok(!existsSync(join(dir, 'out.safetensors')));
  const checkpoint = { ...good, tensors: new Map([...good.tensors, ['adam.v.x', Float32Array.from([Number.POSITIVE_INFINITY])]]), shapes: new Map([...good.shapes, ['adam.v.x', [1]]]) };
  await saveModel(join(dir, 'checkpoint.safetensors'), checkpoint);
  await loadModel(join(dir, 'checkpoint.safetensors'));
});

test('model info, model export-onnx and predict refuse a model with NaN weights (exit 1, tensor named) instead of masking nothing', async () => {
  const stack = join(dir, 'stack');
  synthStack(stack, 64, 1);
  const image = join(stack, readdirSync(stack).find((name) => name.startsWith('img_'))!);
  const runs = [
    ['model', 'info', broken],
    ['model', 'export-onnx', broken, '-o', join(dir, 'nan.onnx')],
    ['predict', image, '--model', broken, '-o', join(dir, 'predicted'), '--quiet'],
  ];
  for (const args of runs) {
    const run = autocm(args);
    assert.equal(run.status, 1, `${args.join(' ')}: ${run.stderr}`);
    assert.match(run.stderr, message(), args.join(' '));
  }
  assert.ok(!existsSync(join(dir, 'nan.onnx')));
  assert.ok(!existsSync(join(dir, 'predicted')) || readdirSync(join(dir, 'predicted')).length === 0);
});
