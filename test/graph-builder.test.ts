import assert from 'node:assert/strict';
import { test } from 'node:test';
import ort from 'onnxruntime-node';
import { GraphBuilder } from '../src/graph/builder.js';

test('a graph built in TypeScript runs on ONNX Runtime with exact results', async () => {
  const g = new GraphBuilder('tiny');
  const x = g.input('x', ['n', 3]);
  const w = g.constFloat('w', [1, 2, 3], [3]);
  const y = g.op('Mul', [x, w]);
  const s = g.op('ReduceSum', [y, g.constInt64('axes', [1])], { keepdims: 0 }, 'sum');
  g.output(s, ['n']);
  const session = await ort.InferenceSession.create(g.toBytes());
  const out = await session.run({ x: new ort.Tensor('float32', Float32Array.from([1, 1, 1, 2, 0, -1]), [2, 3]) });
  assert.deepEqual(Array.from(out.sum!.data as Float32Array), [6, -1]);
});
