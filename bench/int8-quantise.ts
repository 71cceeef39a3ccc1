// A QDQ int8 version of autocm's inference graph (issue 12 item 4), for bench/int8.ts: every Conv
// followed by Relu gets per-channel symmetric int8 weights, an int32 bias, a uint8 input and a
// uint8 output after the Relu (zero point 0, so ORT's ReluQuantFusion drops the Relu and the
// DQ -> Conv -> Q group becomes one int8 conv). Activation ranges come from `calibrationGraph`
// run on real tiles. The heads' sigmoid convs stay float.
import { ModelProto, OnnxDataType } from '../src/graph/onnx-proto.js';

interface Tensor {
  name: string;
  dims: number[];
  data_type: number;
  raw_data: Uint8Array;
}
interface Node {
  op_type: string;
  input: string[];
  output: string[];
  name: string;
  domain?: string;
  attribute?: unknown[];
}
interface Graph {
  node: Node[];
  initializer: Tensor[];
  input: unknown[];
  output: { name: string; type?: unknown }[];
}

function decode(onnx: Uint8Array): { model: Record<string, unknown>; graph: Graph } {
  const model = ModelProto.toObject(ModelProto.decode(onnx), { longs: Number, defaults: false, arrays: true }) as Record<string, unknown>;
  return { model, graph: model.graph as Graph };
}

function encode(model: Record<string, unknown>): Uint8Array {
  return ModelProto.encode(ModelProto.fromObject(model)).finish();
}

/** Conv nodes that are quantised: those whose only consumer is a Relu. */
function quantisableConvs(graph: Graph): { conv: Node; relu: Node }[] {
  const consumers = new Map<string, Node[]>();
  for (const node of graph.node) for (const input of node.input) consumers.set(input, [...(consumers.get(input) ?? []), node]);
  const found: { conv: Node; relu: Node }[] = [];
  for (const node of graph.node) {
    if (node.op_type !== 'Conv') continue;
    const next = consumers.get(node.output[0]!) ?? [];
    if (next.length === 1 && next[0]!.op_type === 'Relu') found.push({ conv: node, relu: next[0]! });
  }
  return found;
}

/** The tensors whose ranges the quantiser needs: every quantised conv's input and its Relu's output. */
export function calibrationTensors(onnx: Uint8Array): string[] {
  const { graph } = decode(onnx);
  const names = new Set<string>();
  for (const { conv, relu } of quantisableConvs(graph)) {
    names.add(conv.input[0]!);
    names.add(relu.output[0]!);
  }
  return [...names];
}

/** The float graph with the calibration tensors as extra outputs. */
export function calibrationGraph(onnx: Uint8Array): Uint8Array {
  const { model, graph } = decode(onnx);
  for (const name of calibrationTensors(onnx)) {
    if (!graph.output.some((o) => o.name === name)) graph.output.push({ name, type: { tensor_type: { elem_type: OnnxDataType.float } } });
  }
  return encode(model);
}

const bytesOf = (array: Float32Array | Int8Array | Int32Array | Uint8Array) => new Uint8Array(new Uint8Array(array.buffer, array.byteOffset, array.byteLength));

function floatsOf(tensor: Tensor): Float32Array {
  const copy = new Uint8Array(tensor.raw_data); // a Node Buffer's slice would share its pool's memory
  return new Float32Array(copy.buffer, 0, copy.byteLength / 4);
}

/** Scale and zero point of a uint8 asymmetric quantisation of [min, max] (the range always holds 0). */
export function uint8Params(min: number, max: number): { scale: number; zeroPoint: number } {
  const lo = Math.min(min, 0);
  const hi = Math.max(max, 0);
  const scale = hi > lo ? (hi - lo) / 255 : 1;
  return { scale, zeroPoint: Math.min(255, Math.max(0, Math.round(-lo / scale))) };
}

/**
 * The QDQ graph. `ranges` maps each calibration tensor to its [min, max] over the calibration
 * tiles. Weights: per output channel, scale = max |w| / 127, zero point 0.
 */
export function quantiseGraph(onnx: Uint8Array, ranges: Map<string, [number, number]>, only?: 'weights' | 'activations', floatConvs: Set<number> = new Set()): Uint8Array {
  const { model, graph } = decode(onnx);
  const initializers = new Map(graph.initializer.map((t) => [t.name, t]));
  const added: Tensor[] = [];
  const constant = (name: string, dataType: number, dims: number[], data: Float32Array | Int8Array | Int32Array | Uint8Array): string => {
    added.push({ name, dims, data_type: dataType, raw_data: bytesOf(data) });
    return name;
  };
  const quantisedActivation = new Map<string, string>();
  const before = new Map<Node, Node[]>();
  const after = new Map<Node, Node[]>();
  const rangeOf = (name: string): [number, number] => {
    const range = ranges.get(name);
    if (!range) throw new Error(`no calibration range for ${name}`);
    return range;
  };
  const activationParams = (name: string) => uint8Params(...rangeOf(name));
  /** Q -> DQ of activation `name`; the DQ's output name. */
  const qdq = (name: string, attachBefore: Node | null, attachAfter: Node | null): string => {
    const done = quantisedActivation.get(name);
    if (done) return done;
    const { scale, zeroPoint } = activationParams(name);
    const s = constant(`${name}__scale`, OnnxDataType.float, [], Float32Array.of(scale));
    const z = constant(`${name}__zp`, OnnxDataType.uint8, [], Uint8Array.of(zeroPoint));
    const nodes: Node[] = [
      { op_type: 'QuantizeLinear', input: [name, s, z], output: [`${name}__q`], name: `${name}__Q` },
      { op_type: 'DequantizeLinear', input: [`${name}__q`, s, z], output: [`${name}__dq`], name: `${name}__DQ` },
    ];
    if (attachBefore) before.set(attachBefore, [...(before.get(attachBefore) ?? []), ...nodes]);
    if (attachAfter) after.set(attachAfter, [...(after.get(attachAfter) ?? []), ...nodes]);
    quantisedActivation.set(name, `${name}__dq`);
    return `${name}__dq`;
  };

  const convs = quantisableConvs(graph).filter((_, i) => !floatConvs.has(i));
  // Relu outputs first, placed right after their Relu, so a later conv reading one finds it.
  const rewired = new Map<string, string>();
  if (only !== 'weights') {
    for (const { relu } of convs) qdq(relu.output[0]!, null, relu);
    for (const { relu } of convs) rewired.set(relu.output[0]!, quantisedActivation.get(relu.output[0]!)!);
  }

  for (const { conv } of convs) {
    const [x, wName, bName] = conv.input as [string, string, string];
    const weight = initializers.get(wName);
    const bias = initializers.get(bName);
    if (!weight || !bias) throw new Error(`${conv.name}: weight and bias must be initializers`);
    const w = floatsOf(weight);
    const b = floatsOf(bias);
    const outChannels = weight.dims[0]!;
    const perChannel = w.length / outChannels;
    const wScale = new Float32Array(outChannels);
    const wq = new Int8Array(w.length);
    for (let o = 0; o < outChannels; o++) {
      let max = 0;
      for (let i = 0; i < perChannel; i++) max = Math.max(max, Math.abs(w[o * perChannel + i]!));
      const scale = max > 0 ? max / 127 : 1;
      wScale[o] = scale;
      for (let i = 0; i < perChannel; i++) wq[o * perChannel + i] = Math.max(-127, Math.min(127, Math.round(w[o * perChannel + i]! / scale)));
    }
    // The conv's input: a Relu output already has its Q/DQ; anything else (image, BN, concat) gets one here.
    if (only === 'activations') {
      conv.input = [rewired.get(x) ?? qdq(x, conv, null), wName, bName];
      continue;
    }
    if (only === 'weights') {
      const wq8 = constant(`${wName}__int8`, OnnxDataType.int8, weight.dims, wq);
      const ws = constant(`${wName}__scale`, OnnxDataType.float, [outChannels], wScale);
      const wz = constant(`${wName}__zp`, OnnxDataType.int8, [outChannels], new Int8Array(outChannels));
      before.set(conv, [{ op_type: 'DequantizeLinear', input: [wq8, ws, wz], output: [`${wName}__dq`], name: `${wName}__DQ`, attribute: [{ name: 'axis', type: 2, i: 0 }] }]);
      conv.input = [x, `${wName}__dq`, bName];
      continue;
    }
    const xDq = rewired.get(x) ?? qdq(x, conv, null);
    const xScale = activationParams(x).scale;
    const bScale = wScale.map((s) => s * xScale);
    const bq = Int32Array.from(b, (v, o) => Math.round(v / bScale[o]!));
    const wq8 = constant(`${wName}__int8`, OnnxDataType.int8, weight.dims, wq);
    const ws = constant(`${wName}__scale`, OnnxDataType.float, [outChannels], wScale);
    const wz = constant(`${wName}__zp`, OnnxDataType.int8, [outChannels], new Int8Array(outChannels));
    const bq32 = constant(`${bName}__int32`, OnnxDataType.int32, [outChannels], bq);
    const bs = constant(`${bName}__scale`, OnnxDataType.float, [outChannels], bScale);
    const bz = constant(`${bName}__zp`, OnnxDataType.int32, [outChannels], new Int32Array(outChannels));
    before.set(conv, [
      ...(before.get(conv) ?? []),
      { op_type: 'DequantizeLinear', input: [wq8, ws, wz], output: [`${wName}__dq`], name: `${wName}__DQ`, attribute: [{ name: 'axis', type: 2, i: 0 }] },
      { op_type: 'DequantizeLinear', input: [bq32, bs, bz], output: [`${bName}__dq`], name: `${bName}__DQ`, attribute: [{ name: 'axis', type: 2, i: 0 }] },
    ]);
    conv.input = [xDq, `${wName}__dq`, `${bName}__dq`];
  }
  // Every other reader of a Relu output (BN, DepthToSpace, Concat) reads its dequantised copy.
  const qdqNodes = new Set([...before.values(), ...after.values()].flat());
  for (const node of graph.node) {
    if (qdqNodes.has(node) || node.op_type === 'Relu') continue;
    node.input = node.input.map((name) => rewired.get(name) ?? name);
  }
  const used = new Set(graph.node.flatMap((n) => n.input));
  graph.initializer = [...graph.initializer.filter((t) => used.has(t.name)), ...added];
  graph.node = graph.node.flatMap((node) => [...(before.get(node) ?? []), node, ...(after.get(node) ?? [])]);
  return encode(model);
}
