import { GraphBuilder } from './builder.js';

/**
 * A small reverse-mode differentiator over an ONNX graph under construction (tinygrad-style):
 * every differentiable op (src/graph/ops/) emits its forward nodes through the tape and records a
 * closure that, given the gradient of its output, emits the nodes of its input gradients. All
 * shapes are static, so every value carries its shape and broadcasting is resolved when the graph
 * is built. `backward(loss)` replays the records in reverse and sums gradients that meet.
 */

export type Shape = readonly number[];

/** A value of the graph: its ONNX name and static shape. */
export interface Value {
  readonly name: string;
  readonly shape: Shape;
}

/** Given the output gradient (same shape as the output), returns one gradient per input (or null when none flows). */
type BackwardFn = (gradOutput: Value) => (Value | null)[];

interface TapeRecord {
  inputs: Value[];
  output: Value;
  backward: BackwardFn;
}

export function sizeOf(shape: Shape): number {
  return shape.reduce((a, b) => a * b, 1);
}

export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

export class Tape {
  readonly records: TapeRecord[] = [];
  /** Values whose gradient is wanted or that depend on one: only these propagate gradients. */
  private readonly tracked = new Set<string>();
  private readonly constants = new Map<string, Value>();

  constructor(readonly builder: GraphBuilder) {}

  /** A float graph input; `differentiable` marks it as a variable to take gradients against. */
  input(name: string, shape: Shape, differentiable = false): Value {
    this.builder.input(name, [...shape]);
    const value = { name, shape };
    if (differentiable) this.tracked.add(name);
    return value;
  }

  isTracked(value: Value): boolean {
    return this.tracked.has(value.name);
  }

  /** A float32 constant, deduplicated by content for scalars. */
  constant(values: number[] | Float32Array, shape: Shape = [values.length]): Value {
    const key = values.length <= 8 ? `${shape.join('x')}:${Array.from(values).join(',')}` : null;
    const cached = key ? this.constants.get(key) : undefined;
    if (cached) return cached;
    const value = { name: this.builder.constFloat('c', values, [...shape]), shape };
    if (key) this.constants.set(key, value);
    return value;
  }

  scalar(x: number): Value {
    return this.constant([x], []);
  }

  int64(values: number[]): string {
    return this.builder.constInt64('i', values);
  }

  /** Emits a node that is not differentiated (e.g. in the backward pass or bookkeeping). */
  emit(opType: string, inputs: (Value | string)[], shape: Shape, attributes: Parameters<GraphBuilder['op']>[2] = {}): Value {
    const name = this.builder.op(
      opType,
      inputs.map((i) => (typeof i === 'string' ? i : i.name)),
      attributes,
    );
    return { name, shape };
  }

  /**
   * Emits a differentiable op: `forward` is the already emitted output; `backward` is recorded
   * when any input is tracked.
   */
  record(inputs: Value[], output: Value, backward: BackwardFn): Value {
    if (inputs.some((i) => this.tracked.has(i.name))) {
      this.tracked.add(output.name);
      this.records.push({ inputs, output, backward });
    }
    return output;
  }

  /** Renames a value to a graph output (Identity). */
  output(value: Value, name: string): void {
    this.builder.op('Identity', [value.name], {}, name);
    this.builder.output(name, [...value.shape]);
  }

  /**
   * Reverse pass from `loss` (any shape; its seed gradient is ones). Returns the gradient of every
   * requested value (a zero tensor when the loss does not depend on it).
   */
  backward(loss: Value, wrt: Value[]): Map<string, Value> {
    const grads = new Map<string, Value>();
    grads.set(loss.name, this.constant(new Float32Array(sizeOf(loss.shape)).fill(1), loss.shape));
    for (let i = this.records.length - 1; i >= 0; i--) {
      const record = this.records[i]!;
      const gradOutput = grads.get(record.output.name);
      if (!gradOutput) continue;
      const inputGrads = record.backward(gradOutput);
      record.inputs.forEach((input, k) => {
        const g = inputGrads[k];
        if (!g || !this.tracked.has(input.name)) return;
        if (!sameShape(g.shape, input.shape)) {
          throw new Error(`gradient of ${input.name} has shape [${g.shape}] instead of [${input.shape}]`);
        }
        const previous = grads.get(input.name);
        grads.set(input.name, previous ? this.emit('Add', [previous, g], input.shape) : g);
      });
    }
    const result = new Map<string, Value>();
    for (const v of wrt) {
      result.set(v.name, grads.get(v.name) ?? this.constant(new Float32Array(sizeOf(v.shape)), v.shape));
    }
    return result;
  }
}
