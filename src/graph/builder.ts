import { ModelProto, OnnxAttributeType, OnnxDataType } from './onnx-proto.js';

export type AttributeValue = number | string | number[] | { floats: number[] } | { int: number } | { float: number } | ConstantTensor;

/** A constant tensor: an initializer or a Constant node's value. */
export interface ConstantTensor {
  dataType: keyof typeof OnnxDataType;
  dims: number[];
  /** Values in row-major order; float32/float64/int32/int64/uint8/bool as numbers. */
  data: ArrayLike<number> | ArrayLike<bigint>;
}

/** A symbolic or fixed dimension of a graph input/output. */
export type Dim = number | string;

interface NodeRecord {
  op_type: string;
  input: string[];
  output: string[];
  name: string;
  domain: string;
  attribute: unknown[];
}

function tensorBytes(tensor: ConstantTensor): Uint8Array {
  const values = Array.from(tensor.data as ArrayLike<number | bigint>);
  switch (tensor.dataType) {
    case 'float':
      return new Uint8Array(Float32Array.from(values.map(Number)).buffer);
    case 'double':
      return new Uint8Array(Float64Array.from(values.map(Number)).buffer);
    case 'int32':
      return new Uint8Array(Int32Array.from(values.map(Number)).buffer);
    case 'int64':
      return new Uint8Array(BigInt64Array.from(values.map((v) => BigInt(v))).buffer);
    case 'uint8':
    case 'bool':
      return Uint8Array.from(values.map(Number));
    case 'int8':
      return new Uint8Array(Int8Array.from(values.map(Number)).buffer);
    case 'uint16':
      return new Uint8Array(Uint16Array.from(values.map(Number)).buffer);
    case 'int16':
      return new Uint8Array(Int16Array.from(values.map(Number)).buffer);
  }
}

function tensorProto(name: string, tensor: ConstantTensor) {
  return { name, dims: tensor.dims, data_type: OnnxDataType[tensor.dataType], raw_data: tensorBytes(tensor) };
}

function isConstantTensor(value: unknown): value is ConstantTensor {
  return typeof value === 'object' && value !== null && 'dataType' in value && 'dims' in value;
}

function attributeProto(name: string, value: AttributeValue) {
  if (typeof value === 'string') return { name, type: OnnxAttributeType.string, s: new TextEncoder().encode(value) };
  if (typeof value === 'number') {
    return Number.isInteger(value) ? { name, type: OnnxAttributeType.int, i: value } : { name, type: OnnxAttributeType.float, f: value };
  }
  if (Array.isArray(value)) return { name, type: OnnxAttributeType.ints, ints: value };
  if (isConstantTensor(value)) return { name, type: OnnxAttributeType.tensor, t: tensorProto('', value) };
  if ('floats' in value) return { name, type: OnnxAttributeType.floats, floats: value.floats };
  if ('int' in value) return { name, type: OnnxAttributeType.int, i: value.int };
  return { name, type: OnnxAttributeType.float, f: value.float };
}

function valueInfo(name: string, dataType: keyof typeof OnnxDataType, dims: Dim[]) {
  return {
    name,
    type: {
      tensor_type: {
        elem_type: OnnxDataType[dataType],
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dim_value: d } : { dim_param: d })) },
      },
    },
  };
}

/**
 * Builds one ONNX graph node by node. Names are made unique automatically; every method
 * returns the names of the values it produced so that graphs read like ordinary code.
 */
export class GraphBuilder {
  private readonly nodes: NodeRecord[] = [];
  private readonly initializers: ReturnType<typeof tensorProto>[] = [];
  private readonly inputs: ReturnType<typeof valueInfo>[] = [];
  private readonly outputs: ReturnType<typeof valueInfo>[] = [];
  private readonly usedNames = new Set<string>();
  private counter = 0;

  constructor(
    readonly name: string,
    readonly opset = 17,
  ) {}

  /** A fresh value name derived from `hint`. */
  uniqueName(hint: string): string {
    let name = hint;
    while (this.usedNames.has(name)) name = `${hint}_${++this.counter}`;
    this.usedNames.add(name);
    return name;
  }

  input(name: string, dims: Dim[], dataType: keyof typeof OnnxDataType = 'float'): string {
    this.usedNames.add(name);
    this.inputs.push(valueInfo(name, dataType, dims));
    return name;
  }

  output(name: string, dims: Dim[], dataType: keyof typeof OnnxDataType = 'float'): void {
    this.outputs.push(valueInfo(name, dataType, dims));
  }

  initializer(hint: string, tensor: ConstantTensor): string {
    const name = this.uniqueName(hint);
    this.initializers.push(tensorProto(name, tensor));
    return name;
  }

  /** A float32 constant (scalar when dims is []). */
  constFloat(hint: string, values: number[] | Float32Array, dims: number[] = [values.length]): string {
    return this.initializer(hint, { dataType: 'float', dims, data: values });
  }

  constInt64(hint: string, values: number[]): string {
    return this.initializer(hint, { dataType: 'int64', dims: [values.length], data: values });
  }

  /** Adds a node; returns its output names (`outputCount` fresh names, or the given ones). */
  node(opType: string, inputs: string[], attributes: Record<string, AttributeValue> = {}, outputs: number | string[] = 1): string[] {
    const outputNames =
      typeof outputs === 'number'
        ? Array.from({ length: outputs }, (_, i) => this.uniqueName(`${opType.toLowerCase()}${outputs > 1 ? `_o${i}` : ''}`))
        : outputs.map((o) => {
            this.usedNames.add(o);
            return o;
          });
    this.nodes.push({
      op_type: opType,
      input: inputs,
      output: outputNames,
      name: this.uniqueName(`n_${opType}`),
      domain: '',
      attribute: Object.entries(attributes).map(([key, value]) => attributeProto(key, value)),
    });
    return outputNames;
  }

  /** Single-output convenience form of `node`. */
  op(opType: string, inputs: string[], attributes: Record<string, AttributeValue> = {}, outputName?: string): string {
    return this.node(opType, inputs, attributes, outputName ? [outputName] : 1)[0]!;
  }

  /** Serialises to ONNX protobuf bytes. */
  toBytes(metadata: Record<string, string> = {}): Uint8Array {
    const model = ModelProto.fromObject({
      ir_version: 8,
      producer_name: 'autocm',
      producer_version: '0.1',
      opset_import: [{ domain: '', version: this.opset }],
      graph: { name: this.name, node: this.nodes, initializer: this.initializers, input: this.inputs, output: this.outputs },
      metadata_props: Object.entries(metadata).map(([key, value]) => ({ key, value })),
    });
    return ModelProto.encode(model).finish();
  }
}
