import assert from 'node:assert/strict';
import { test } from 'node:test';
import ort from 'onnxruntime-node';
import { GraphBuilder } from '../../src/graph/builder.js';
import { buildInferenceGraph } from '../../src/graph/inference.js';
import { type LayerStyle, emitInferenceLayer, kerasKernelToOnnx } from '../../src/graph/layers.js';
import { type ConvSpec, unetLayers, unetSpec, parameterSpecs } from '../../src/model/description.js';
import { initParameters } from '../../src/model/init.js';
import { createRandom } from '../../src/util/random.js';
import { type Hwc, convSame, referenceUnet, transposedConvScatter } from './reference-unet.js';

function randomArray(length: number, seed: number, scale = 1): Float32Array {
  const random = createRandom(seed);
  return Float32Array.from({ length }, () => (2 * random.next() - 1) * scale);
}

function nchwToHwc(data: Float32Array, c: number, h: number, w: number, n = 0): Hwc {
  const out = new Float64Array(h * w * c);
  for (let ch = 0; ch < c; ch++) for (let p = 0; p < h * w; p++) out[p * c + ch] = data[(n * c + ch) * h * w + p]!;
  return { h, w, c, data: out };
}

function maxAbsDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

/** One layer without activation effects worth noting (linear input range, relu, no BN) run on ORT. */
async function runLayer(spec: ConvSpec, kernel: Float32Array, bias: Float32Array, input: Float32Array, h: number, w: number, style: LayerStyle = {}): Promise<Float32Array> {
  const g = new GraphBuilder('layer');
  const x = g.input('x', [1, spec.inChannels, h, w]);
  const params = new Map([[`${spec.name}.kernel`, kernel], [`${spec.name}.bias`, bias]]);
  const y = emitInferenceLayer(g, spec, (name) => params.get(name)!, x, style);
  g.op('Identity', [y], {}, 'y');
  g.output('y', [1, spec.outChannels, 'h', 'w']);
  const session = await ort.InferenceSession.create(g.toBytes());
  const out = await session.run({ x: new ort.Tensor('float32', input, [1, spec.inChannels, h, w]) });
  await session.release();
  return out.y!.data as Float32Array;
}

function layerSpec(type: 'conv' | 'tconv', stride: 1 | 2, inChannels: number, outChannels: number): ConvSpec {
  // Sigmoid keeps the comparison linear-ish everywhere (relu would hide negative errors).
  return { name: 'l', type, kernelSize: 3, stride, inChannels, outChannels, activation: 'sigmoid', batchNorm: null, kerasLayer: null, kerasBatchNorm: null };
}

const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));

test('the transposed conv, as sub-pixel conv or ConvTranspose, equals the Keras scatter formula (no flip, output exactly 2H)', async () => {
  const [cin, cout, h, w] = [5, 3, 6, 10];
  const kernel = randomArray(9 * cout * cin, 1);
  const bias = randomArray(cout, 2);
  const input = randomArray(cin * h * w, 3);
  const reference = transposedConvScatter(nchwToHwc(input, cin, h, w), kernel, 3, cout, 2);
  const referenceOut = reference.data.map((v, i) => sigmoid(v + bias[i % cout]!));
  for (const transposedConv of ['subpixel', 'convtranspose'] as const) {
    const onnx = await runLayer(layerSpec('tconv', 2, cin, cout), kernel, bias, input, h, w, { transposedConv });
    assert.equal(onnx.length, cout * 2 * h * 2 * w);
    const got = nchwToHwc(onnx, cout, 2 * h, 2 * w);
    assert.ok(maxAbsDifference(got.data, referenceOut) < 1e-6, transposedConv);
  }
});

test('a flipped kernel gives a different transposed conv, so the scatter test can tell', () => {
  // Guard for the guard: flipping the kernel changes the scatter result, so the test above can fail.
  const kernel = randomArray(9, 4);
  const flipped = Float32Array.from({ length: 9 }, (_, i) => kernel[8 - i]!);
  const input: Hwc = { h: 3, w: 3, c: 1, data: Float64Array.from(randomArray(9, 5)) };
  const a = transposedConvScatter(input, kernel, 3, 1, 2).data;
  const b = transposedConvScatter(input, flipped, 3, 1, 2).data;
  assert.ok(maxAbsDifference(a, b) > 0.1);
});

test('stride-2 and stride-1 convs use TF same padding (0 before, 1 after for stride 2 on even sizes)', async () => {
  for (const stride of [1, 2] as const) {
    const [cin, cout, h, w] = [3, 4, 8, 12];
    const kernel = randomArray(9 * cin * cout, 10 + stride);
    const bias = randomArray(cout, 20);
    const input = randomArray(cin * h * w, 30);
    const onnx = await runLayer(layerSpec('conv', stride, cin, cout), kernel, bias, input, h, w);
    const reference = convSame(nchwToHwc(input, cin, h, w), kernel, 3, cout, stride);
    const got = nchwToHwc(onnx, cout, h / stride, w / stride);
    const referenceOut = reference.data.map((v, i) => sigmoid(v + bias[i % cout]!));
    assert.ok(maxAbsDifference(got.data, referenceOut) < 1e-6, `stride ${stride}`);
  }
});

test('Keras kernels are transposed to ONNX layout [out, in, kh, kw] (conv) and [in, out, kh, kw] (tconv)', () => {
  const kernel = Float32Array.from({ length: 3 * 3 * 2 * 5 }, (_, i) => i);
  const { data, dims } = kerasKernelToOnnx(kernel, [3, 3, 2, 5]);
  assert.deepEqual(dims, [5, 2, 3, 3]);
  // Keras [ky=1, kx=2, a=1, b=4] -> ONNX [b=4, a=1, ky=1, kx=2].
  assert.equal(data[((4 * 2 + 1) * 3 + 1) * 3 + 2], kernel[((1 * 3 + 2) * 2 + 1) * 5 + 4]);
});

test('the whole U-Net graph matches the float64 reference for 6 bands, a batch of 2 and a 16 x 24 input', async () => {
  const bands = 6;
  const spec = unetSpec(bands);
  const layers = unetLayers(spec);
  const params = initParameters(layers, 99);
  // Non-trivial BN statistics, so that the BN placement and epsilon matter.
  const random = createRandom(5);
  for (const p of parameterSpecs(layers)) {
    const values = params.get(p.name)!;
    if (p.role === 'gamma') values.forEach((_, i) => (values[i] = 0.5 + random.next()));
    if (p.role === 'beta' || p.role === 'bias') values.forEach((_, i) => (values[i] = 0.2 * (random.next() - 0.5)));
    if (p.role === 'moving_mean') values.forEach((_, i) => (values[i] = 0.3 * random.next()));
    if (p.role === 'moving_variance') values.forEach((_, i) => (values[i] = i === 0 ? 1e-9 : 0.05 + random.next()));
  }
  const [n, h, w] = [2, 16, 24];
  const input = randomArray(n * bands * h * w, 7, 1).map(Math.abs);
  const references = Array.from({ length: n }, (_, i) => referenceUnet(spec, params, nchwToHwc(input, bands, h, w, i)));
  const variants = [
    { fixed: false, batchNorm: 'batchnorm', transposedConv: 'subpixel' },
    { fixed: true, batchNorm: 'batchnorm', transposedConv: 'subpixel' },
    { fixed: true, batchNorm: 'affine', transposedConv: 'subpixel' },
    { fixed: false, batchNorm: 'affine', transposedConv: 'convtranspose' },
  ] as const;
  for (const { fixed, batchNorm, transposedConv } of variants) {
    {
      const style = { batchNorm, transposedConv };
      const graph = buildInferenceGraph(spec, params, fixed ? { batch: n, height: h, width: w, ...style } : style);
      const session = await ort.InferenceSession.create(graph);
      const out = await session.run({ image: new ort.Tensor('float32', input, [n, bands, h, w]) });
      await session.release();
      assert.deepEqual(out.mask!.dims, [n, 1, h, w]);
      assert.deepEqual(out.brightness!.dims, [n, bands]);
      for (let i = 0; i < n; i++) {
        const reference = references[i]!;
        const mask = (out.mask!.data as Float32Array).subarray(i * h * w, (i + 1) * h * w);
        const brightness = (out.brightness!.data as Float32Array).subarray(i * bands, (i + 1) * bands);
        const maskDifference = maxAbsDifference(mask, reference.mask);
        const brightnessDifference = maxAbsDifference(brightness, reference.brightness);
        assert.ok(maskDifference < 1e-5 && brightnessDifference < 1e-5, `${batchNorm} ${transposedConv} fixed=${fixed} image ${i}: mask ${maskDifference}, brightness ${brightnessDifference}`);
      }
    }
  }
});

test('a fixed size that is not a multiple of 8 is refused', () => {
  const spec = unetSpec(4);
  const params = initParameters(unetLayers(spec), 1);
  assert.throws(() => buildInferenceGraph(spec, params, { height: 20, width: 16 }), /height 20 is not a positive multiple of 8/);
});
