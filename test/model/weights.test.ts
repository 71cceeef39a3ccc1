import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parameterSpecs, unetLayers, unetSpec } from '../../src/model/description.js';
import { initParameters } from '../../src/model/init.js';
import { encodeModel, loadModel, saveModel, unetParameterCount, type ModelFile } from '../../src/model/weights.js';

function sampleModel(bands = 4): ModelFile {
  const layers = unetLayers(unetSpec(bands));
  const tensors = initParameters(layers, 1);
  const shapes = new Map(parameterSpecs(layers).map((p) => [p.name, p.shape]));
  tensors.set('sim.extra', Float32Array.from([1.5, -2]));
  shapes.set('sim.extra', [2]);
  return {
    metadata: {
      format: 'autocm-model',
      formatVersion: 1,
      autocmVersion: '0.1.0',
      sensor: 'planetscope4',
      bands: ['Blue', 'Green', 'Red', 'NIR'].slice(0, bands).concat(Array.from({ length: Math.max(0, bands - 4) }, (_, i) => `B${i + 5}`)),
      normalisation: { mode: 'stretch', lowPercentile: 2, highPercentile: 98 },
      architecture: 'autocm-unet',
      inputBands: bands,
      training: { epochs: 3 },
      createdAt: '2026-01-01T00:00:00.000Z',
    },
    tensors,
    shapes,
  };
}

async function withTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'autocm-weights-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('a model round-trips through a .safetensors file with its metadata and extra tensors', () =>
  withTempDir(async (dir) => {
    const model = sampleModel(6);
    const path = join(dir, 'm.safetensors');
    await saveModel(path, model);
    assert.deepEqual(await readdir(dir), ['m.safetensors']);
    const loaded = await loadModel(path);
    assert.deepEqual(loaded.metadata, model.metadata);
    assert.deepEqual([...loaded.tensors.keys()], [...model.tensors.keys()]);
    for (const [name, values] of model.tensors) {
      assert.deepEqual(loaded.tensors.get(name), values, name);
      assert.deepEqual(loaded.shapes.get(name), model.shapes.get(name), name);
    }
    // The layout is plain safetensors: header length, JSON header (8-byte aligned), data.
    const bytes = await readFile(path);
    const headerLength = Number(bytes.readBigUInt64LE(0));
    assert.equal(headerLength % 8, 0);
    const header = JSON.parse(bytes.subarray(8, 8 + headerLength).toString('utf8'));
    assert.equal(header['down0.conv0.kernel'].dtype, 'F32');
    assert.deepEqual(header['down0.conv0.kernel'].shape, [3, 3, 6, 16]);
    assert.equal(JSON.parse(header.__metadata__.autocm).sensor, 'planetscope4');
    const dataBytes = bytes.length - 8 - headerLength;
    assert.equal(dataBytes, (unetParameterCount(6) + 2) * 4);
  }));

test('the 4-band U-Net has the 181,557 parameters of the released checkpoint', () => {
  assert.equal(unetParameterCount(4), 181_557);
});

test('loadModel refuses non-safetensors files, missing or misshapen tensors and bad metadata, naming the file', () =>
  withTempDir(async (dir) => {
    const text = join(dir, 'notes.safetensors');
    await writeFile(text, 'hello, this is not a model file at all');
    await assert.rejects(loadModel(text), (e: Error) => e.message.includes(text) && /not an autocm \.safetensors/.test(e.message));

    await assert.rejects(loadModel(join(dir, 'absent.safetensors')), /absent\.safetensors: cannot read model file \(ENOENT\)/);

    const missing = sampleModel();
    missing.tensors.delete('up1.bn2.gamma');
    const missingPath = join(dir, 'missing.safetensors');
    await writeFile(missingPath, encodeModel(missing));
    await assert.rejects(loadModel(missingPath), /missing\.safetensors: missing tensor up1\.bn2\.gamma \(shape \[16\]\)/);

    const wrong = sampleModel();
    wrong.tensors.set('last.conv2.kernel', new Float32Array(32));
    wrong.shapes.set('last.conv2.kernel', [1, 1, 32, 1]);
    const wrongPath = join(dir, 'wrong.safetensors');
    await writeFile(wrongPath, encodeModel(wrong));
    await assert.rejects(loadModel(wrongPath), /last\.conv2\.kernel has shape \[1,1,32,1\], expected \[1,1,16,1\]/);

    const badMeta = sampleModel();
    badMeta.metadata.bands = ['Blue'];
    const badMetaPath = join(dir, 'meta.safetensors');
    await writeFile(badMetaPath, encodeModel(badMeta));
    await assert.rejects(loadModel(badMetaPath), /bands must list 4 band names/);

    const truncated = join(dir, 'truncated.safetensors');
    const full = encodeModel(sampleModel());
    await writeFile(truncated, full.subarray(0, full.length - 100));
    await assert.rejects(loadModel(truncated), /do not fit the file/);
  }));
