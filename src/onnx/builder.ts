/**
 * Emits ONNX nodes and constant initializers with unique names under a prefix; the rewriter uses
 * it to append the Prompt-to-Prompt edit to a graph.
 */
import { DataType, type NodeProto, type TensorProto, type AttributeProto, onnx } from './proto';

export const INT64_MAX = 9223372036854775807n;

export class GraphBuilder {
  readonly nodes: NodeProto[] = [];
  readonly initializers: TensorProto[] = [];
  private counter = 0;

  constructor(private readonly prefix: string) {}

  private name(hint: string): string {
    this.counter += 1;
    return `${this.prefix}/${hint}_${this.counter}`;
  }

  /** Adds a node and returns its (single) output name (generated unless given). */
  op(opType: string, inputs: string[], attrs: AttributeProto[] = [], hint = opType, outputName?: string): string {
    const name = this.name(hint);
    const output = outputName ?? `${name}_out`;
    this.nodes.push(onnx.NodeProto.create({ name, opType, input: inputs, output: [output], attribute: attrs }));
    return output;
  }

  /** An int64 1-D constant. */
  ints(values: (number | bigint)[], hint = 'const'): string {
    const name = this.name(hint);
    const data = BigInt64Array.from(values.map((v) => BigInt(v)));
    this.initializers.push(
      onnx.TensorProto.create({ name, dataType: DataType.INT64, dims: [values.length], rawData: new Uint8Array(data.buffer) }),
    );
    return name;
  }

  /** A float32 1-D constant. */
  floats(values: number[], hint = 'const'): string {
    const name = this.name(hint);
    const data = Float32Array.from(values);
    this.initializers.push(
      onnx.TensorProto.create({ name, dataType: DataType.FLOAT, dims: [values.length], rawData: new Uint8Array(data.buffer) }),
    );
    return name;
  }

  /** Adds a node with `count` outputs and returns their names. */
  opMulti(opType: string, inputs: string[], count: number, attrs: AttributeProto[] = [], hint = opType): string[] {
    const name = this.name(hint);
    const outputs = Array.from({ length: count }, (_, i) => `${name}_out${i}`);
    this.nodes.push(onnx.NodeProto.create({ name, opType, input: inputs, output: outputs, attribute: attrs }));
    return outputs;
  }

  intAttr(name: string, value: number): AttributeProto {
    return onnx.AttributeProto.create({ name, type: onnx.AttributeProto.AttributeType.INT, i: value });
  }

  intsAttr(name: string, values: number[]): AttributeProto {
    return onnx.AttributeProto.create({ name, type: onnx.AttributeProto.AttributeType.INTS, ints: values });
  }

  /** `x[start:end]` along `axis` (Slice with inputs, opset ≥ 10). */
  slice(x: string, start: number | bigint, end: number | bigint, axis: number, hint = 'Slice'): string {
    return this.op('Slice', [x, this.ints([start]), this.ints([end]), this.ints([axis])], [], hint);
  }

  /** `x[start:end]` along axis 0, the bounds being 1-D int64 tensors. */
  rowSlice(x: string, start: string, end: string, hint = 'Slice'): string {
    return this.op('Slice', [x, start, end, this.ints([0])], [], hint);
  }

  /** Elements `[start, end)` of `Shape(x)`, as a 1-D int64 tensor. */
  shapePart(shape: string, start: number, end: number | bigint = INT64_MAX): string {
    return this.slice(shape, start, end, 0, 'ShapePart');
  }

  /** Inserts size-1 axes (Unsqueeze: axes as an input from opset 13, an attribute before). */
  unsqueeze(x: string, axes: number[], opset: number): string {
    return opset >= 13 ? this.op('Unsqueeze', [x, this.ints(axes)]) : this.op('Unsqueeze', [x], [this.intsAttr('axes', axes)]);
  }

  concat(inputs: string[], axis: number, hint = 'Concat'): string {
    return this.op('Concat', inputs, [this.intAttr('axis', axis)], hint);
  }
}
