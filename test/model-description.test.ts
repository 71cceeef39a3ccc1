import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parameterSpecs, siameseSpec, unetLayers, unetSpec } from '../src/model/description.js';

const count = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

test('the U-Net description has the parameter counts of the released model', () => {
  const params = parameterSpecs(unetLayers(unetSpec(4)));
  assert.equal(params.length, 118);
  assert.equal(params.reduce((s, p) => s + count(p.shape), 0), 181_557);
  assert.equal(params.filter((p) => p.trainable).reduce((s, p) => s + count(p.shape), 0), 180_469);
  const blockTotal = (prefix: string) => params.filter((p) => p.name.startsWith(`${prefix}.`)).reduce((s, p) => s + count(p.shape), 0);
  // README of the reference checkpoint: per-block totals (trainable + moving statistics).
  assert.deepEqual(
    ['down0', 'down1', 'down2', 'up0', 'up1', 'last', 'last2'].map(blockTotal),
    [5_424, 23_520, 93_120, 37_344, 14_064, 7_089, 996],
  );
});

test('Keras layer names follow the creation order of the original code', () => {
  const layers = unetLayers(unetSpec(4));
  const byName = new Map(layers.map((l) => [l.name, l]));
  assert.equal(byName.get('down0.conv0')!.kerasLayer, 'conv2d');
  assert.equal(byName.get('down0.conv0')!.kerasBatchNorm, 'batch_normalization');
  assert.equal(byName.get('up0.tconv0')!.kerasLayer, 'conv2d_transpose');
  assert.equal(byName.get('up0.tconv0')!.kerasBatchNorm, 'batch_normalization_9');
  assert.equal(byName.get('last.conv2')!.kerasLayer, 'conv2d_14');
  assert.equal(byName.get('last.conv2')!.batchNorm, null);
  assert.equal(byName.get('last2.conv2')!.kerasLayer, 'conv2d_17');
  assert.equal(byName.get('last2.bn1')?.name, undefined);
  assert.equal(byName.get('last2.conv1')!.kerasBatchNorm, 'batch_normalization_18');
});

test('band count is a parameter of both networks', () => {
  const u = unetSpec(6);
  assert.equal(u.down[0]!.layers[0]!.inChannels, 6);
  assert.equal(u.brightnessHead.layers[2]!.outChannels, 6);
  assert.equal(siameseSpec(3).encoder[0]!.layers[0]!.inChannels, 3);
});
