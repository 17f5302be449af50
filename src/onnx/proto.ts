/**
 * ONNX protobuf I/O through `onnx-proto` (protobufjs static code for onnx.proto). Decoding keeps
 * `raw_data` as views into the input bytes, so weights are never copied.
 */
import onnxProto from 'onnx-proto';

export const onnx = onnxProto.onnx;
export type ModelProto = onnxProto.onnx.ModelProto;
export type GraphProto = onnxProto.onnx.IGraphProto;
export type NodeProto = onnxProto.onnx.INodeProto;
export type TensorProto = onnxProto.onnx.ITensorProto;
export type ValueInfoProto = onnxProto.onnx.IValueInfoProto;
export type AttributeProto = onnxProto.onnx.IAttributeProto;
export const DataType = onnxProto.onnx.TensorProto.DataType;

/** protobufjs decodes int64 as numbers or as Long objects depending on the environment. */
export function toNumber(value: number | { toNumber(): number } | null | undefined): number {
  if (value === null || value === undefined) return 0;
  return typeof value === 'number' ? value : value.toNumber();
}

import { NotOnnxError } from './notOnnx';

export { NotOnnxError };

export function decodeModel(bytes: Uint8Array): ModelProto {
  let model: ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (err) {
    throw new NotOnnxError(`the bytes do not parse as an ONNX ModelProto (${(err as Error).message})`);
  }
  if (!model.graph || !model.graph.node || model.graph.node.length === 0 || toNumber(model.irVersion) <= 0) {
    throw new NotOnnxError('no graph, no nodes or no IR version');
  }
  return model;
}

export function encodeModel(model: onnxProto.onnx.IModelProto): Uint8Array {
  return onnx.ModelProto.encode(model).finish();
}

/** The version of the default ("" or "ai.onnx") operator set the model imports. */
export function defaultOpset(model: ModelProto): number {
  const entry = model.opsetImport.find((o) => !o.domain || o.domain === 'ai.onnx');
  return entry ? toNumber(entry.version) : 0;
}

/** Static dims of a graph input/output (`undefined` for symbolic or unknown dims). */
export function staticDims(info: ValueInfoProto | undefined): (number | undefined)[] | undefined {
  const dims = info?.type?.tensorType?.shape?.dim;
  if (!dims) return undefined;
  return dims.map((d) => (d.dimValue !== null && d.dimValue !== undefined && !d.dimParam ? toNumber(d.dimValue) : undefined));
}

export function elemType(info: ValueInfoProto | undefined): number | undefined {
  return info?.type?.tensorType?.elemType ?? undefined;
}
