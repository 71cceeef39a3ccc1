import { type Tape, type Value } from '../autodiff.js';

function keptShape(x: Value, axes: number[]): number[] {
  return x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
}

/** Broadcasts a keepdims-shaped gradient back over the reduced axes. */
function expandBack(tape: Tape, g: Value, x: Value): Value {
  return tape.emit('Expand', [g, tape.int64([...x.shape])], x.shape);
}

/** Sum over `axes`, keeping them as size 1. */
export function reduceSum(tape: Tape, x: Value, axes: number[]): Value {
  const out = tape.emit('ReduceSum', [x, tape.int64(axes)], keptShape(x, axes), { keepdims: 1 });
  return tape.record([x], out, (g) => [expandBack(tape, g, x)]);
}

/** Mean over `axes`, keeping them as size 1 (opset 17: axes is an attribute). */
export function reduceMean(tape: Tape, x: Value, axes: number[]): Value {
  const count = axes.reduce((n, a) => n * x.shape[a]!, 1);
  const out = tape.emit('ReduceMean', [x], keptShape(x, axes), { axes, keepdims: 1 });
  return tape.record([x], out, (g) => [expandBack(tape, tape.emit('Mul', [g, tape.scalar(1 / count)], g.shape), x)]);
}

/** Max over `axes`, keeping them; tied maxima share the gradient equally. */
export function reduceMax(tape: Tape, x: Value, axes: number[]): Value {
  const out = tape.emit('ReduceMax', [x], keptShape(x, axes), { axes, keepdims: 1 });
  return tape.record([x], out, (g) => {
    const isMax = tape.emit('Cast', [tape.emit('Equal', [x, out], x.shape)], x.shape, { to: 1 });
    const ties = tape.emit('ReduceSum', [isMax, tape.int64(axes)], out.shape, { keepdims: 1 });
    return [tape.emit('Mul', [isMax, tape.emit('Div', [g, ties], out.shape)], x.shape)];
  });
}
