/**
 * Converts an fp32 ONNX graph to fp16 the way fp16 Hub exports look: float initializers (inline or external),
 * Constant values, float graph inputs/outputs and Casts to float become float16. External tensors only change
 * their declared type; whoever writes their data writes it as fp16 (see skeleton.ts). Value infos are dropped
 * so that onnxruntime infers them again.
 */
import { DataType, type ModelProto, type TensorProto } from '../../src/onnx/proto';
import { toHalf } from '../../src/runtime/float16';

const EXTERNAL = 1; // TensorProto.DataLocation.EXTERNAL

function halve(t: TensorProto): void {
  if (t.dataType !== DataType.FLOAT) return;
  t.dataType = DataType.FLOAT16;
  if (t.dataLocation === EXTERNAL) return;
  const raw = t.rawData && t.rawData.byteLength > 0 ? new Float32Array(Uint8Array.from(t.rawData).buffer) : Float32Array.from(t.floatData ?? []);
  t.rawData = new Uint8Array(toHalf(raw).buffer);
  t.floatData = [];
}

/** Inputs that ONNX requires in float32 whatever the data's type: Resize's roi and scales, Upsample's scales. */
const FLOAT32_INPUTS: Record<string, number[]> = { Resize: [1, 2], Upsample: [1] };

/** Rewrites `model` in place. */
export function convertToFloat16(model: ModelProto): void {
  const graph = model.graph!;
  const keep = new Set<string>();
  for (const node of graph.node ?? []) for (const i of FLOAT32_INPUTS[node.opType ?? ''] ?? []) if (node.input?.[i]) keep.add(node.input[i]);
  for (const t of graph.initializer ?? []) if (!keep.has(t.name ?? '')) halve(t);
  for (const node of graph.node ?? []) {
    for (const a of node.attribute ?? []) {
      if (node.opType === 'Constant' && a.t && !keep.has(node.output?.[0] ?? '')) halve(a.t);
      if (node.opType === 'Cast' && a.name === 'to' && Number(a.i) === DataType.FLOAT) a.i = DataType.FLOAT16;
    }
  }
  for (const io of [...(graph.input ?? []), ...(graph.output ?? [])]) {
    if (io.type?.tensorType?.elemType === DataType.FLOAT) io.type.tensorType.elemType = DataType.FLOAT16;
  }
  graph.valueInfo = [];
}
