import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TrainSession } from '../../src/engine/train-session.js';
import { type Tape as TapeT, type Value, Tape, sizeOf } from '../../src/graph/autodiff.js';
import { GraphBuilder } from '../../src/graph/builder.js';
import { batchNormTraining } from '../../src/graph/ops/batchnorm.js';
import { conv2d, convTranspose2d } from '../../src/graph/ops/conv.js';
import { add, div, log, mul, relu, sigmoid, square, sub } from '../../src/graph/ops/elementwise.js';
import { reduceMax, reduceMean, reduceSum } from '../../src/graph/ops/reduce.js';
import { concat, matmul, reshape, transpose } from '../../src/graph/ops/shape.js';
import { createRandom } from '../../src/util/random.js';
import { batchNorm64, conv64, t64, tconv64 } from './training-reference64.js';

interface OpInput {
  shape: number[];
  /** Defaults to uniform values in [-1, 1]. */
  values?: number[];
}

/**
 * Builds `loss = sum(op(inputs) * R)` (R a fixed random tensor) on the tape, runs its gradients on
 * ORT and compares every entry of every input gradient with float64 central differences of `ref`.
 */
async function checkOp(label: string, inputs: OpInput[], build: (tape: TapeT, xs: Value[]) => Value, ref: (xs: Float64Array[]) => Float64Array) {
  const random = createRandom(label.length * 7919);
  const values = inputs.map((input) => Float32Array.from(input.values ?? Array.from({ length: sizeOf(input.shape) }, () => 2 * random.next() - 1)));
  const tape = new Tape(new GraphBuilder(`op_${label}`));
  const xs = inputs.map((input, i) => tape.input(`x${i}`, input.shape, true));
  const out = build(tape, xs);
  const weights = Float32Array.from({ length: sizeOf(out.shape) }, () => 2 * random.next() - 1);
  const all = out.shape.map((_, i) => i);
  const loss = reshape(tape, reduceSum(tape, mul(tape, out, tape.constant(weights, out.shape)), all), [1]);
  tape.output(loss, 'loss');
  const grads = tape.backward(loss, xs);
  const gradientOutputs = new Map<string, string>();
  xs.forEach((x, i) => {
    tape.output(grads.get(x.name)!, `grad.x${i}`);
    gradientOutputs.set(`x${i}`, `grad.x${i}`);
  });
  const graph = {
    bytes: tape.builder.toBytes(),
    parameters: [],
    dataInputs: inputs.map((input, i) => ({ name: `x${i}`, shape: input.shape })),
    lossOutputs: ['loss'],
    gradientOutputs,
    movingOutputs: new Map<string, string>(),
  };
  const session = await TrainSession.create(graph, { threads: 1 });
  const result = await session.run(new Map(), new Map(values.map((v, i) => [`x${i}`, v])));
  await session.release();
  const f = (xs64: Float64Array[]) => ref(xs64).reduce((s, v, i) => s + v * weights[i]!, 0);
  const base = values.map((v) => Float64Array.from(v));
  assert.ok(Math.abs(result.losses.get('loss')! - f(base)) < 1e-4 * (1 + Math.abs(f(base))), `${label}: forward`);
  let worst = 0;
  values.forEach((_, i) => {
    const g = result.gradients.get(`x${i}`)!;
    const gMax = Math.max(...g.map(Math.abs), 1e-12);
    for (let j = 0; j < g.length; j++) {
      const h = 1e-6;
      const shifted = (sign: number) => f(base.map((b, k) => (k === i ? b.map((v, m) => (m === j ? v + sign * h : v)) : b)));
      const fd = (shifted(1) - shifted(-1)) / (2 * h);
      worst = Math.max(worst, Math.abs(g[j]! - fd) / gMax);
    }
  });
  console.log(`${label}: max relative gradient error ${worst.toExponential(2)}`);
  assert.ok(worst <= 1e-3, `${label}: ${worst}`);
}

/** ONNX conv weight [O,I,k,k] -> Keras [k,k,I,O]; ONNX ConvTranspose [I,O,k,k] -> Keras [k,k,O,I]: both perm (2,3,1,0). */
function toKeras(w: Float64Array, shape: number[]): Float64Array {
  const [a, b, k] = shape as [number, number, number, number];
  const out = new Float64Array(w.length);
  for (let i = 0; i < a; i++) for (let j = 0; j < b; j++) for (let y = 0; y < k; y++) for (let x = 0; x < k; x++) out[((y * k + x) * b + j) * a + i] = w[((i * b + j) * k + y) * k + x]!;
  return out;
}

const elementwise = (xs: Float64Array[], f: (...v: number[]) => number) => xs[0]!.map((_, i) => f(...xs.map((x) => x[i]!)));

test('Conv 3x3 stride 1 and stride 2 (TF same pads) and 1x1: gradients of x, w, b', async () => {
  for (const stride of [1, 2]) {
    await checkOp(
      `conv3x3s${stride}`,
      [{ shape: [2, 3, 6, 6] }, { shape: [4, 3, 3, 3] }, { shape: [4] }],
      (tape, [x, w, b]) => conv2d(tape, x!, w!, b!, stride),
      ([x, w, b]) => conv64(t64([2, 3, 6, 6], x!), toKeras(w!, [4, 3, 3, 3]), b!, 3, 4, stride).data,
    );
  }
  await checkOp(
    'conv1x1',
    [{ shape: [2, 3, 4, 4] }, { shape: [2, 3, 1, 1] }, { shape: [2] }],
    (tape, [x, w, b]) => conv2d(tape, x!, w!, b!, 1),
    ([x, w, b]) => conv64(t64([2, 3, 4, 4], x!), toKeras(w!, [2, 3, 1, 1]), b!, 1, 2, 1).data,
  );
});

test('ConvTranspose (Keras Conv2DTranspose, stride 2, H -> 2H, no flip): gradients of x, w, b', async () => {
  await checkOp(
    'tconv3x3s2',
    [{ shape: [2, 3, 3, 3] }, { shape: [3, 2, 3, 3] }, { shape: [2] }],
    (tape, [x, w, b]) => convTranspose2d(tape, x!, w!, b!, 2),
    ([x, w, b]) => tconv64(t64([2, 3, 3, 3], x!), toKeras(w!, [3, 2, 3, 3]), b!, 3, 2, 2).data,
  );
});

test('BatchNormalization in training mode (batch statistics over N, H, W, epsilon 1e-3)', async () => {
  await checkOp(
    'batchnorm',
    [{ shape: [3, 2, 2, 2] }, { shape: [2] }, { shape: [2] }],
    (tape, [x, g, b]) => batchNormTraining(tape, x!, g!, b!, 1e-3).y,
    ([x, g, b]) => batchNorm64(t64([3, 2, 2, 2], x!), g!, b!, 1e-3).y.data,
  );
});

test('ReLU, Sigmoid, Square, Add/Sub/Mul/Div with broadcasting', async () => {
  const awayFromZero = [0.5, -0.7, 0.3, -0.2, 0.9, -1.1];
  await checkOp('relu', [{ shape: [2, 3], values: awayFromZero }], (tape, [x]) => relu(tape, x!), ([x]) => x!.map((v) => Math.max(v, 0)));
  await checkOp('sigmoid', [{ shape: [2, 3] }], (tape, [x]) => sigmoid(tape, x!), ([x]) => x!.map((v) => 1 / (1 + Math.exp(-v))));
  await checkOp('square', [{ shape: [2, 3] }], (tape, [x]) => square(tape, x!), ([x]) => x!.map((v) => v * v));
  await checkOp('log', [{ shape: [2, 3], values: [0.5, 0.7, 1.3, 0.2, 2.9, 1.1] }], (tape, [x]) => log(tape, x!), ([x]) => x!.map((v) => Math.log(v)));
  const broadcast = (xs: Float64Array[], f: (a: number, b: number) => number) => {
    const [a, b] = xs as [Float64Array, Float64Array];
    return a.map((v, i) => f(v, b[i % 3]!));
  };
  await checkOp('add', [{ shape: [2, 3] }, { shape: [3] }], (tape, [a, b]) => add(tape, a!, b!), (xs) => broadcast(xs, (a, b) => a + b));
  await checkOp('sub', [{ shape: [2, 3] }, { shape: [3] }], (tape, [a, b]) => sub(tape, a!, b!), (xs) => broadcast(xs, (a, b) => a - b));
  await checkOp('mul', [{ shape: [2, 3] }, { shape: [3] }], (tape, [a, b]) => mul(tape, a!, b!), (xs) => broadcast(xs, (a, b) => a * b));
  await checkOp(
    'div',
    [{ shape: [2, 3] }, { shape: [3], values: [1.5, -2, 0.8] }],
    (tape, [a, b]) => div(tape, a!, b!),
    (xs) => broadcast(xs, (a, b) => a / b),
  );
  await checkOp('mul-same', [{ shape: [2, 3] }, { shape: [2, 3] }], (tape, [a, b]) => mul(tape, a!, b!), (xs) => elementwise(xs, (a, b) => a! * b!));
});

test('ReduceMax (a two-way tie shares the gradient), ReduceMean, ReduceSum, Concat, MatMul, Transpose', async () => {
  // Row 0 has a tie at its maximum (0.8, 0.8): central differences give 1/2 each, as the shared rule.
  await checkOp(
    'reducemax',
    [{ shape: [2, 3], values: [0.8, 0.1, 0.8, -0.3, 0.6, 0.2] }],
    (tape, [x]) => reduceMax(tape, x!, [1]),
    ([x]) => Float64Array.from([Math.max(x![0]!, x![1]!, x![2]!), Math.max(x![3]!, x![4]!, x![5]!)]),
  );
  await checkOp('reducemean', [{ shape: [2, 3] }], (tape, [x]) => reduceMean(tape, x!, [0]), ([x]) => Float64Array.from([0, 1, 2], (j) => (x![j]! + x![3 + j]!) / 2));
  await checkOp('reducesum', [{ shape: [2, 3] }], (tape, [x]) => reduceSum(tape, x!, [1]), ([x]) => Float64Array.from([0, 1], (i) => x![3 * i]! + x![3 * i + 1]! + x![3 * i + 2]!));
  await checkOp(
    'concat',
    [{ shape: [1, 2, 2] }, { shape: [1, 1, 2] }],
    (tape, [a, b]) => concat(tape, [a!, b!], 1),
    ([a, b]) => Float64Array.from([...a!, ...b!]),
  );
  await checkOp(
    'matmul',
    [{ shape: [2, 3] }, { shape: [3, 2] }],
    (tape, [a, b]) => matmul(tape, a!, b!),
    ([a, b]) => Float64Array.from([0, 1, 2, 3], (o) => [0, 1, 2].reduce((s, k) => s + a![Math.floor(o / 2) * 3 + k]! * b![k * 2 + (o % 2)]!, 0)),
  );
  await checkOp('transpose', [{ shape: [2, 3] }], (tape, [x]) => transpose(tape, x!, [1, 0]), ([x]) => Float64Array.from([0, 3, 1, 4, 2, 5], (i) => x![i]!));
});
