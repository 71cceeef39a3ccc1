import { type Tape, type Value } from '../autodiff.js';

/** TF 'same' padding [top, left, bottom, right]: stride 2 on even sizes pads 0 before and 1 after. */
export function samePads(inputSize: readonly [number, number], kernel: number, stride: number): number[] {
  const [before0, after0] = sameAxis(inputSize[0], kernel, stride);
  const [before1, after1] = sameAxis(inputSize[1], kernel, stride);
  return [before0, before1, after0, after1];
}

function sameAxis(n: number, kernel: number, stride: number): [number, number] {
  const out = Math.ceil(n / stride);
  const total = Math.max((out - 1) * stride + kernel - n, 0);
  const before = Math.floor(total / 2);
  return [before, total - before];
}

/**
 * Gradient of a conv's weight [Cout, Cin, k, k] from its input [N, Cin, H, W] and output gradient
 * [N, Cout, Ho, Wo]: im2col by a grouped conv with one-hot kernels, then one batched MatMul and a
 * sum over N (ENGINE-NOTES: the fastest formulation on ORT CPU).
 */
export function convWeightGrad(tape: Tape, input: Value, gradOut: Value, kernel: number, stride: number, pads: number[]): Value {
  const [n, cin] = input.shape as [number, number, number, number];
  const [, cout, ho, wo] = gradOut.shape as [number, number, number, number];
  const taps = kernel * kernel;
  const pixels = ho * wo;
  let cols: Value;
  if (kernel === 1 && stride === 1) {
    cols = tape.emit('Reshape', [input, tape.int64([n, cin, pixels])], [n, cin, pixels]);
  } else {
    const oneHot = new Float32Array(cin * taps * taps);
    for (let c = 0; c < cin; c++) for (let t = 0; t < taps; t++) oneHot[(c * taps + t) * taps + t] = 1;
    const im2col = tape.emit('Conv', [input, tape.constant(oneHot, [cin * taps, 1, kernel, kernel])], [n, cin * taps, ho, wo], {
      kernel_shape: [kernel, kernel],
      strides: [stride, stride],
      pads,
      group: cin,
    });
    cols = tape.emit('Reshape', [im2col, tape.int64([n, cin * taps, pixels])], [n, cin * taps, pixels]);
  }
  const g = tape.emit('Reshape', [gradOut, tape.int64([n, cout, pixels])], [n, cout, pixels]);
  const rows = cin * taps;
  let perSample: Value;
  let transposed: boolean;
  // Transpose whichever operand is smaller.
  if (cout <= rows) {
    const gT = tape.emit('Transpose', [g], [n, pixels, cout], { perm: [0, 2, 1] });
    perSample = tape.emit('MatMul', [cols, gT], [n, rows, cout]);
    transposed = true;
  } else {
    const colsT = tape.emit('Transpose', [cols], [n, pixels, rows], { perm: [0, 2, 1] });
    perSample = tape.emit('MatMul', [g, colsT], [n, cout, rows]);
    transposed = false;
  }
  const summed =
    n === 1
      ? tape.emit('Reshape', [perSample, tape.int64(perSample.shape.slice(1))], perSample.shape.slice(1))
      : tape.emit('ReduceSum', [perSample, tape.int64([0])], perSample.shape.slice(1), { keepdims: 0 });
  const ordered = transposed ? tape.emit('Transpose', [summed], [cout, rows], { perm: [1, 0] }) : summed;
  return tape.emit('Reshape', [ordered, tape.int64([cout, cin, kernel, kernel])], [cout, cin, kernel, kernel]);
}

function biasGrad(tape: Tape, g: Value): Value {
  return tape.emit('ReduceSum', [g, tape.int64([0, 2, 3])], [g.shape[1]!], { keepdims: 0 });
}

/**
 * dX of a conv. Stride 1: a plain Conv of dY with the kernel flipped and in/out swapped (ORT's Conv
 * is several times faster than its ConvTranspose); otherwise ConvTranspose with the conv's pads.
 */
function convInputGrad(tape: Tape, g: Value, w: Value, xShape: readonly number[], stride: number, pads: number[]): Value {
  const [cout, cin, k] = w.shape as [number, number, number, number];
  const [, , h, wd] = xShape as [number, number, number, number];
  const [, , ho, wo] = g.shape as [number, number, number, number];
  if (stride === 1) {
    const swapped = tape.emit('Transpose', [w], [cin, cout, k, k], { perm: [1, 0, 2, 3] });
    const flipped =
      k === 1
        ? swapped
        : tape.emit('Slice', [swapped, tape.int64([-1, -1]), tape.int64([-k - 1, -k - 1]), tape.int64([2, 3]), tape.int64([-1, -1])], [cin, cout, k, k]);
    // Stride 1: the adjoint pads are the kernel span minus the forward pads.
    const adjointPads = [k - 1 - pads[0]!, k - 1 - pads[1]!, k - 1 - pads[2]!, k - 1 - pads[3]!];
    return tape.emit('Conv', [g, flipped], xShape, { kernel_shape: [k, k], strides: [1, 1], pads: adjointPads });
  }
  const outputPadding = [h - (stride * (ho - 1) + k - pads[0]! - pads[2]!), wd - (stride * (wo - 1) + k - pads[1]! - pads[3]!)];
  return tape.emit('ConvTranspose', [g, w], xShape, { kernel_shape: [k, k], strides: [stride, stride], pads, output_padding: outputPadding });
}

/** Conv with TF 'same' padding; x [N,Cin,H,W], w [Cout,Cin,k,k] (ONNX layout), b [Cout]. */
export function conv2d(tape: Tape, x: Value, w: Value, b: Value, stride: number): Value {
  const [n, , h, wd] = x.shape as [number, number, number, number];
  const [cout, , k] = w.shape as [number, number, number, number];
  const pads = samePads([h, wd], k, stride);
  const ho = Math.ceil(h / stride);
  const wo = Math.ceil(wd / stride);
  const attrs = { kernel_shape: [k, k], strides: [stride, stride], pads };
  const out = tape.emit('Conv', [x, w, b], [n, cout, ho, wo], attrs);
  return tape.record([x, w, b], out, (g) => {
    return [
      tape.isTracked(x) ? convInputGrad(tape, g, w, x.shape, stride, pads) : null,
      tape.isTracked(w) ? convWeightGrad(tape, x, g, k, stride, pads) : null,
      tape.isTracked(b) ? biasGrad(tape, g) : null,
    ];
  });
}

/**
 * Keras Conv2DTranspose (stride s, 'same'): the gradient of the 'same' conv from the s-times larger
 * grid, no kernel flip, output exactly s*H. x [N,Cin,H,W], w [Cin,Cout,k,k] (ONNX ConvTranspose layout).
 */
export function convTranspose2d(tape: Tape, x: Value, w: Value, b: Value, stride: number): Value {
  const [n, , h, wd] = x.shape as [number, number, number, number];
  const [, cout, k] = w.shape as [number, number, number, number];
  const ho = h * stride;
  const wo = wd * stride;
  const pads = samePads([ho, wo], k, stride);
  const outputPadding = [ho - (stride * (h - 1) + k - pads[0]! - pads[2]!), wo - (stride * (wd - 1) + k - pads[1]! - pads[3]!)];
  const attrs = { kernel_shape: [k, k], strides: [stride, stride], pads };
  const out = tape.emit('ConvTranspose', [x, w, b], [n, cout, ho, wo], { ...attrs, output_padding: outputPadding });
  return tape.record([x, w, b], out, (g) => [
    tape.isTracked(x) ? tape.emit('Conv', [g, w], x.shape, attrs) : null,
    tape.isTracked(w) ? convWeightGrad(tape, g, x, k, stride, pads) : null,
    tape.isTracked(b) ? biasGrad(tape, g) : null,
  ]);
}
