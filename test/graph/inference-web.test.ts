import assert from 'node:assert/strict';
import { test } from 'node:test';
import ort from 'onnxruntime-node';
import * as ortWeb from 'onnxruntime-web';
import { buildInferenceGraph } from '../../src/graph/inference.js';
import { unetLayers, unetSpec } from '../../src/model/description.js';
import { initParameters } from '../../src/model/init.js';
import { createRandom } from '../../src/util/random.js';

test('the exported ONNX bytes load in onnxruntime-web (wasm) and give the same outputs as onnxruntime-node', async () => {
  const spec = unetSpec(4);
  const params = initParameters(unetLayers(spec), 3);
  const bytes = buildInferenceGraph(spec, params);
  const [n, h, w] = [1, 16, 24];
  const random = createRandom(11);
  const input = Float32Array.from({ length: n * 4 * h * w }, () => random.next());

  ortWeb.env.wasm.numThreads = 1;
  const web = await ortWeb.InferenceSession.create(bytes, { executionProviders: ['wasm'] });
  const webOut = await web.run({ image: new ortWeb.Tensor('float32', input, [n, 4, h, w]) });
  await web.release();
  const node = await ort.InferenceSession.create(bytes);
  const nodeOut = await node.run({ image: new ort.Tensor('float32', input, [n, 4, h, w]) });
  await node.release();

  for (const name of ['mask', 'brightness'] as const) {
    const a = webOut[name]!.data as Float32Array;
    const b = nodeOut[name]!.data as Float32Array;
    assert.deepEqual(webOut[name]!.dims, nodeOut[name]!.dims);
    let max = 0;
    for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
    assert.ok(max < 1e-5, `${name} differs by ${max}`);
  }
});
