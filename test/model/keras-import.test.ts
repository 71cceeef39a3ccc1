import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { unetLayers, unetSpec, parameterSpecs } from '../../src/model/description.js';
import { initParameters } from '../../src/model/init.js';
import { importKerasCheckpoint, kerasCheckpointToModel, kerasKeyMap } from '../../src/model/keras-import.js';
import { readTensorBundle, TF_FLOAT, TF_STRING } from '../../src/model/tensor-bundle.js';
import { loadModel } from '../../src/model/weights.js';
import { crc32c, maskCrc32c, unmaskCrc32c } from '../../src/util/crc32c.js';
import { sharedPath } from '../helpers/shared-data.js';
import { type WrittenTensor, writeTensorBundle } from './tensor-bundle-writer.js';

function referencePrefix(t: TestContext): string | undefined {
  const index = sharedPath(t, 'reference', 'u_model_autocm.index');
  return index?.slice(0, -'.index'.length);
}

function withTemp<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'autocm-keras-'));
  return fn(dir).finally(() => rmSync(dir, { recursive: true, force: true }));
}

async function floatTensors(prefix: string): Promise<WrittenTensor[]> {
  return (await readTensorBundle(prefix)).filter((t) => t.dtype === TF_FLOAT).map((t) => ({ key: t.key, shape: t.shape, values: t.values! }));
}

test('CRC32C gives the standard check value and masking round-trips', () => {
  assert.equal(crc32c(new TextEncoder().encode('123456789')), 0xe3069283);
  assert.equal(crc32c(new Uint8Array(32)), 0x8a9136aa);
  assert.equal(unmaskCrc32c(maskCrc32c(0xdeadbeef)), 0xdeadbeef);
});

test('the authors\' checkpoint reads with every CRC checked: 118 float32 variables, 181,557 values, and the object graph', async (t) => {
  const prefix = referencePrefix(t);
  if (!prefix) return;
  const tensors = await readTensorBundle(prefix);
  assert.equal(tensors.length, 119);
  const floats = tensors.filter((x) => x.dtype === TF_FLOAT);
  assert.equal(floats.length, 118);
  assert.equal(floats.reduce((n, x) => n + x.values!.length, 0), 181_557);
  const graph = tensors.find((x) => x.key === '_CHECKPOINTABLE_OBJECT_GRAPH')!;
  assert.equal(graph.dtype, TF_STRING);
});

test('the key mapping agrees with every line of checkpoint_variables.txt', (t) => {
  const listing = sharedPath(t, 'reference', 'checkpoint_variables.txt');
  if (!listing) return;
  const map = kerasKeyMap(4);
  const lines = readFileSync(listing, 'utf8').split('\n').filter((l) => l.startsWith('layer_with_weights'));
  assert.equal(lines.length, 118);
  for (const line of lines) {
    const [key, , shape, , ourName] = line.split(' | ');
    assert.equal(map.get(key!), ourName, key);
    const spec = parameterSpecs(unetLayers(unetSpec(4))).find((p) => p.name === ourName)!;
    assert.equal(`[${spec.shape.join(', ')}]`, shape, ourName);
  }
  assert.equal(map.size, 118);
});

test('import-keras writes a model with PlanetScope metadata whose tensors equal the checkpoint\'s', async (t) => {
  const prefix = referencePrefix(t);
  if (!prefix) return;
  await withTemp(async (dir) => {
    const output = join(dir, 'authors.safetensors');
    await importKerasCheckpoint(prefix, output);
    const model = await loadModel(output);
    assert.equal(model.metadata.sensor, 'planetscope4');
    assert.deepEqual(model.metadata.bands, ['Blue', 'Green', 'Red', 'NIR']);
    assert.deepEqual(model.metadata.normalisation, { mode: 'stretch', lowPercentile: 2, highPercentile: 98 });
    assert.equal(model.metadata.inputBands, 4);
    assert.equal(model.metadata.source, prefix);
    const keyMap = kerasKeyMap(4);
    for (const tensor of await floatTensors(prefix)) assert.deepEqual(model.tensors.get(keyMap.get(tensor.key)!), tensor.values, tensor.key);
  });
});

test('a checkpoint with a missing, an extra or a misshapen variable is refused with the variable named', async (t) => {
  const prefix = referencePrefix(t);
  if (!prefix) return;
  const tensors = await floatTensors(prefix);
  await withTemp(async (dir) => {
    // Sanity: the test writer's unmodified output imports, so refusals below are due to the change.
    writeTensorBundle(join(dir, 'same'), tensors);
    const same = await kerasCheckpointToModel(join(dir, 'same'));
    assert.equal(same.tensors.size, 118);

    const missingKey = 'layer_with_weights-3/layer_with_weights-1/gamma/.ATTRIBUTES/VARIABLE_VALUE';
    writeTensorBundle(join(dir, 'missing'), tensors.filter((x) => x.key !== missingKey));
    await assert.rejects(kerasCheckpointToModel(join(dir, 'missing')), (e: Error) => e.message.includes(`missing.index: this checkpoint does not fit`) && e.message.includes(missingKey));

    const extraKey = 'layer_with_weights-7/layer_with_weights-0/kernel/.ATTRIBUTES/VARIABLE_VALUE';
    writeTensorBundle(join(dir, 'extra'), [...tensors, { key: extraKey, shape: [1], values: new Float32Array(1) }]);
    await assert.rejects(kerasCheckpointToModel(join(dir, 'extra')), (e: Error) => e.message.includes('1 unexpected variable(s)') && e.message.includes(extraKey));

    const reshapedKey = 'layer_with_weights-5/layer_with_weights-4/kernel/.ATTRIBUTES/VARIABLE_VALUE';
    writeTensorBundle(join(dir, 'shape'), tensors.map((x) => (x.key === reshapedKey ? { ...x, shape: [1, 1, 1, 16] } : x)));
    await assert.rejects(kerasCheckpointToModel(join(dir, 'shape')), /last\.conv2\.kernel\) has shape \[1,1,1,16\], expected \[1,1,16,1\]/);
  });
});

test('a corrupted data shard or index, or a missing shard, is refused naming the file', async (t) => {
  const prefix = referencePrefix(t);
  if (!prefix) return;
  await withTemp(async (dir) => {
    const copy = join(dir, 'ckpt');
    copyFileSync(`${prefix}.index`, `${copy}.index`);
    const data = readFileSync(`${prefix}.data-00000-of-00001`);
    data[100]! ^= 0x01;
    writeFileSync(`${copy}.data-00000-of-00001`, data);
    await assert.rejects(kerasCheckpointToModel(copy), (e: Error) => e.message.startsWith(`${copy}.data-00000-of-00001: CRC32C mismatch for tensor layer_with_weights-`));

    const index = readFileSync(`${prefix}.index`);
    index[200]! ^= 0x01;
    writeFileSync(`${copy}.index`, index);
    await assert.rejects(kerasCheckpointToModel(copy), /ckpt\.index: not a valid checkpoint index \(LevelDB table\): CRC32C mismatch in the block/);

    copyFileSync(`${prefix}.index`, `${copy}.index`);
    rmSync(`${copy}.data-00000-of-00001`);
    await assert.rejects(kerasCheckpointToModel(copy), /ckpt\.data-00000-of-00001: cannot read checkpoint data shard \(ENOENT\)/);

    writeFileSync(`${copy}.index`, 'not a table');
    await assert.rejects(kerasCheckpointToModel(copy), /not a valid checkpoint index/);
    await assert.rejects(importKerasCheckpoint(copy, join(dir, 'out.safetensors')));
    assert.ok(!readdirSync(dir).some((f) => f.includes('out.safetensors')), 'no output left behind');
  });
});

test('a 6-band checkpoint imports with band names from the caller, and needs them', async () => {
  await withTemp(async (dir) => {
    const layers = unetLayers(unetSpec(6));
    const params = initParameters(layers, 5);
    const tensors = [...kerasKeyMap(6)].map(([key, name]) => ({ key, shape: parameterSpecs(layers).find((p) => p.name === name)!.shape, values: params.get(name)! }));
    writeTensorBundle(join(dir, 'six'), tensors);
    await assert.rejects(kerasCheckpointToModel(join(dir, 'six')), /six\.index: the checkpoint has 6 input bands: name them with --bands/);
    const bands = ['B', 'G', 'R', 'NIR', 'SWIR1', 'SWIR2'];
    const model = await kerasCheckpointToModel(join(dir, 'six'), { bands, sensor: 'landsat89-l2' });
    assert.deepEqual(model.metadata.bands, bands);
    assert.equal(model.metadata.sensor, 'landsat89-l2');
    assert.deepEqual(model.tensors.get('down0.conv0.kernel'), params.get('down0.conv0.kernel'));
  });
});
