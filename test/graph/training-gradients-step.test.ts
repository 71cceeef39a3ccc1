import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TrainSession } from '../../src/engine/train-session.js';
import { PASSES, buildTrainingStepGraph } from '../../src/graph/training.js';
import { siameseLayers, siameseSpec, unetLayers, unetSpec } from '../../src/model/description.js';
import { checkGradients, randomPack, report, testParameters, toFloat64 } from './training-gradcheck.js';
import { type T64, stepLoss64, t64 } from './training-reference64.js';

const TOLERANCE = 1e-3;

test('training step (5 passes + Siamese, K=3, crop 16, 3 bands): the gradients of both networks (head tensors, every block) match float64 finite differences', async () => {
  const [k, bands, crop] = [3, 3, 16];
  // Loss weights 1 (instead of 0.01) so that the Siamese gradients stand well above float64 noise;
  // margin 1 keeps the temporal hinge active whatever the similarities (s in [0, 1]).
  const weights = { spatial: 1, temporal: 1, margin: 1 };
  const graph = buildTrainingStepGraph({ bands, k, crop, spatialWeight: weights.spatial, temporalWeight: weights.temporal, margin: weights.margin });
  const params = new Map([...testParameters(unetLayers(unetSpec(bands)), 21), ...testParameters(siameseLayers(siameseSpec(bands)), 22)]);
  const data = new Map<string, Float32Array>();
  const packs: T64[] = [];
  const valids: T64[] = [];
  PASSES.forEach((pass, i) => {
    const { x, valid } = randomPack(k, bands, crop, 30 + i);
    data.set(pass, x).set(`valid.${pass}`, valid);
    packs.push(t64([k, bands, crop, crop], x));
    valids.push(t64([k, 1, crop, crop], valid));
  });
  const overlap: [number, number] = [0.5625, 0.5625];
  data.set('similarity_target', Float32Array.from([overlap[0], overlap[1], 0, 0]));
  const session = await TrainSession.create(graph, { threads: 1 });
  const out = await session.run(params, data);
  await session.release();
  const [unet, siamese] = [unetSpec(bands), siameseSpec(bands)];
  const reference = stepLoss64(unet, siamese, toFloat64(params), { packs, valid: valids, overlap }, weights);
  for (const key of ['loss', 'rec', 'spatial', 'temporal'] as const) {
    assert.ok(Math.abs(out.losses.get(key)! - reference[key]) <= 1e-3 * Math.abs(reference[key]) + 1e-6, `${key}: ${out.losses.get(key)} vs ${reference[key]}`);
  }
  console.log('step losses', Object.fromEntries(out.losses), 'similarity', reference.similarity);
  const f = (p: Map<string, Float64Array>) => stepLoss64(unet, siamese, p, { packs, valid: valids, overlap }, weights).loss;
  // The similarity head and embedding tensor by tensor; the encoder blocks and the U-Net blocks
  // (checked tensor by tensor in the test above) as one direction per block, which covers the
  // gradients that flow back from the Siamese losses through the composites. (Per tensor here
  // would cost minutes of float64 forwards.)
  const trainable = graph.parameters.filter((p) => p.trainable).map((p) => p.name);
  const blockOf = (name: string) => name.split('.').slice(0, -2).join('.');
  const perTensor = trainable.filter((n) => n.startsWith('sim.head.') || n.startsWith('sim.embed.'));
  const blocks = [...new Set(trainable.filter((n) => !perTensor.includes(n)).map(blockOf))].map((block) =>
    trainable.filter((n) => !perTensor.includes(n) && blockOf(n) === block),
  );
  const checks = checkGradients(f, params, out.gradients, [...perTensor, ...blocks], { entries: 0, seed: 23 });
  const worst = report('training step', checks);
  assert.ok(worst <= TOLERANCE, JSON.stringify(checks.filter((c) => Math.max(c.directional, c.entries) > TOLERANCE)));
});
