import { type Shape, type Tape, type Value, sizeOf } from '../autodiff.js';

/** ReduceSum with keepdims over `axes` (not recorded: a backward-pass helper). */
export function reduceSumTo(tape: Tape, x: Value, axes: number[], keepDims = true): Value {
  const shape = keepDims ? x.shape.map((d, i) => (axes.includes(i) ? 1 : d)) : x.shape.filter((_, i) => !axes.includes(i));
  return tape.emit('ReduceSum', [x, tape.int64(axes)], shape, { keepdims: keepDims ? 1 : 0 });
}

export function reshape(tape: Tape, x: Value, shape: Shape): Value {
  if (sizeOf(shape) !== sizeOf(x.shape)) throw new Error(`cannot reshape [${x.shape}] to [${shape}]`);
  const out = tape.emit('Reshape', [x, tape.int64([...shape])], shape);
  return tape.record([x], out, (g) => [tape.emit('Reshape', [g, tape.int64([...x.shape])], x.shape)]);
}

export function transpose(tape: Tape, x: Value, perm: number[]): Value {
  const out = tape.emit('Transpose', [x], perm.map((p) => x.shape[p]!), { perm });
  const inverse = perm.map((_, i) => perm.indexOf(i));
  return tape.record([x], out, (g) => [tape.emit('Transpose', [g], x.shape, { perm: inverse })]);
}

/** Concatenation; the gradient is split back with the input sizes. */
export function concat(tape: Tape, inputs: Value[], axis: number): Value {
  const shape = [...inputs[0]!.shape];
  shape[axis] = inputs.reduce((s, v) => s + v.shape[axis]!, 0);
  const out = tape.emit('Concat', inputs, shape, { axis });
  return tape.record(inputs, out, (g) => {
    const sizes = inputs.map((v) => v.shape[axis]!);
    const names = tape.builder.node('Split', [g.name, tape.int64(sizes)], { axis }, inputs.length);
    return names.map((name, i) => ({ name, shape: inputs[i]!.shape }));
  });
}

/** Batched or plain matrix product (both operands of rank >= 2, equal batch dims). */
export function matmul(tape: Tape, a: Value, b: Value): Value {
  const ra = a.shape.length;
  const rb = b.shape.length;
  const batch = a.shape.slice(0, ra - 2);
  const out = tape.emit('MatMul', [a, b], [...batch, a.shape[ra - 2]!, b.shape[rb - 1]!]);
  const swapLast = (rank: number) => [...Array(rank - 2).keys(), rank - 1, rank - 2];
  return tape.record([a, b], out, (g) => {
    const t = (v: Value) => tape.emit('Transpose', [v], swapLast(v.shape.length).map((p) => v.shape[p]!), { perm: swapLast(v.shape.length) });
    return [
      tape.isTracked(a) ? tape.emit('MatMul', [g, t(b)], a.shape) : null,
      tape.isTracked(b) ? tape.emit('MatMul', [t(a), g], b.shape) : null,
    ];
  });
}
