/**
 * Test-only: an fp32 ONNX model converted to fp16 the way fp16 Hub exports look — float initializers,
 * Constant values, float graph inputs/outputs and Casts to float all become float16.
 */
import { DataType, decodeModel, encodeModel, type TensorProto } from '../../src/onnx/proto';
import { toHalf } from '../../src/runtime/float16';

function halve(t: TensorProto): void {
  if (t.dataType !== DataType.FLOAT) return;
  const raw = t.rawData && t.rawData.byteLength > 0 ? new Float32Array(Uint8Array.from(t.rawData).buffer) : Float32Array.from(t.floatData ?? []);
  t.dataType = DataType.FLOAT16;
  t.rawData = new Uint8Array(toHalf(raw).buffer);
  t.floatData = [];
}

export function toFloat16Model(bytes: Uint8Array): Uint8Array {
  const model = decodeModel(bytes);
  const graph = model.graph!;
  for (const t of graph.initializer ?? []) halve(t);
  for (const node of graph.node ?? []) {
    for (const a of node.attribute ?? []) {
      if (node.opType === 'Constant' && a.t) halve(a.t);
      if (node.opType === 'Cast' && a.name === 'to' && Number(a.i) === DataType.FLOAT) a.i = DataType.FLOAT16;
    }
  }
  for (const io of [...(graph.input ?? []), ...(graph.output ?? [])]) {
    if (io.type?.tensorType?.elemType === DataType.FLOAT) io.type.tensorType.elemType = DataType.FLOAT16;
  }
  graph.valueInfo = [];
  return encodeModel(model);
}
