import { type Shape, type Tape, type Value, sameShape } from '../autodiff.js';
import { reduceSumTo, reshape } from './shape.js';

/** Numpy broadcasting of two static shapes. */
export function broadcastShape(a: Shape, b: Shape): number[] {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) throw new Error(`cannot broadcast [${a}] with [${b}]`);
    out.push(Math.max(da, db));
  }
  return out;
}

/** Sums a broadcast gradient back to the shape of the operand it came from. */
export function unbroadcast(tape: Tape, grad: Value, target: Shape): Value {
  if (sameShape(grad.shape, target)) return grad;
  const padded = [...Array(grad.shape.length - target.length).fill(1), ...target];
  const axes = grad.shape.flatMap((d, i) => (padded[i] === 1 && d !== 1 ? [i] : []));
  const summed = axes.length ? reduceSumTo(tape, grad, axes) : grad;
  return sameShape(summed.shape, target) ? summed : reshape(tape, summed, target);
}

export function add(tape: Tape, a: Value, b: Value): Value {
  const out = tape.emit('Add', [a, b], broadcastShape(a.shape, b.shape));
  return tape.record([a, b], out, (g) => [
    tape.isTracked(a) ? unbroadcast(tape, g, a.shape) : null,
    tape.isTracked(b) ? unbroadcast(tape, g, b.shape) : null,
  ]);
}

export function sub(tape: Tape, a: Value, b: Value): Value {
  const out = tape.emit('Sub', [a, b], broadcastShape(a.shape, b.shape));
  return tape.record([a, b], out, (g) => [
    tape.isTracked(a) ? unbroadcast(tape, g, a.shape) : null,
    tape.isTracked(b) ? unbroadcast(tape, tape.emit('Neg', [g], g.shape), b.shape) : null,
  ]);
}

export function mul(tape: Tape, a: Value, b: Value): Value {
  const out = tape.emit('Mul', [a, b], broadcastShape(a.shape, b.shape));
  return tape.record([a, b], out, (g) => [
    tape.isTracked(a) ? unbroadcast(tape, tape.emit('Mul', [g, b], g.shape), a.shape) : null,
    tape.isTracked(b) ? unbroadcast(tape, tape.emit('Mul', [g, a], g.shape), b.shape) : null,
  ]);
}

/** a / b; d/db = -g a / b^2 = -g out / b. */
export function div(tape: Tape, a: Value, b: Value): Value {
  const out = tape.emit('Div', [a, b], broadcastShape(a.shape, b.shape));
  return tape.record([a, b], out, (g) => {
    const gOverB = tape.emit('Div', [g, b], g.shape);
    return [
      tape.isTracked(a) ? unbroadcast(tape, gOverB, a.shape) : null,
      tape.isTracked(b) ? unbroadcast(tape, tape.emit('Neg', [tape.emit('Mul', [gOverB, out], g.shape)], g.shape), b.shape) : null,
    ];
  });
}

export function square(tape: Tape, x: Value): Value {
  const out = tape.emit('Mul', [x, x], x.shape);
  return tape.record([x], out, (g) => [tape.emit('Mul', [tape.emit('Mul', [g, x], x.shape), tape.scalar(2)], x.shape)]);
}

export function relu(tape: Tape, x: Value): Value {
  const out = tape.emit('Relu', [x], x.shape);
  return tape.record([x], out, (g) => [
    tape.emit('Where', [tape.emit('Greater', [out, tape.scalar(0)], x.shape), g, tape.scalar(0)], x.shape),
  ]);
}

export function sigmoid(tape: Tape, x: Value): Value {
  const out = tape.emit('Sigmoid', [x], x.shape);
  return tape.record([x], out, (g) => {
    const oneMinus = tape.emit('Sub', [tape.scalar(1), out], x.shape);
    return [tape.emit('Mul', [tape.emit('Mul', [g, out], x.shape), oneMinus], x.shape)];
  });
}

/** 1 - x, a common composite step. */
export function oneMinus(tape: Tape, x: Value): Value {
  return sub(tape, tape.scalar(1), x);
}

/** Natural logarithm; d/dx = g / x. */
export function log(tape: Tape, x: Value): Value {
  const out = tape.emit('Log', [x], x.shape);
  return tape.record([x], out, (g) => [tape.emit('Div', [g, x], x.shape)]);
}
