/**
 * The float32 twin of a float16 corpus graph: the same graph and the same weight values (the seeded fp16 weights
 * widened exactly), every float16 tensor type, constant and Cast made float32. The corpus test runs both twins so
 * that what the instrumenter computes is checked exactly (float32) and its float16 rounding is measured against the
 * stock graph's own (float16 vs float32 of the same weights), which depends on the CPU's kernels.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeModel, encodeModel } from '../../src/onnx';
import { DataType, type TensorProto } from '../../src/onnx/proto';
import { fromHalf } from '../../src/runtime/float16';

const EXTERNAL = 1; // TensorProto.DataLocation.EXTERNAL

/** An inline float16 tensor (an initializer kept in the graph, a Constant's value) as float32. */
function widenInline(t: TensorProto): void {
  if (t.dataType !== DataType.FLOAT16) return;
  t.dataType = DataType.FLOAT;
  // float16 values live in raw_data, or in int32_data one value per entry (the proto's rule for 16-bit types).
  const half = t.rawData && t.rawData.byteLength > 0 ? new Uint16Array(Uint8Array.from(t.rawData).buffer) : Uint16Array.from(t.int32Data ?? []);
  t.rawData = new Uint8Array(fromHalf(half).buffer);
  t.int32Data = [];
}

/**
 * Writes `<dir>/model.fp32.onnx` next to the float16 graph `file` (as materializeExport wrote it, with its
 * external weights), every weight inline; returns the new graph's path.
 */
export function writeFloat32Variant(dir: string, file: string): string {
  const model = decodeModel(readFileSync(file));
  const graph = model.graph!;
  const halves = new Map<string, Uint8Array>(); // float16 external file -> its bytes
  for (const t of graph.initializer ?? []) {
    if (t.dataType !== DataType.FLOAT16 || t.dataLocation !== EXTERNAL) {
      widenInline(t);
      continue;
    }
    const entry = (key: string) => t.externalData?.find((e) => e.key === key)?.value ?? '';
    const location = entry('location');
    if (!halves.has(location)) halves.set(location, readFileSync(join(dir, location)));
    const offset = Number(entry('offset') || 0);
    const length = Number(entry('length'));
    const bytes = halves.get(location)!.subarray(offset, offset + length);
    const values = fromHalf(new Uint16Array(Uint8Array.from(bytes).buffer));
    t.dataType = DataType.FLOAT;
    // Inline: the twin needs no offsets of its own, and 4.5 M float32 values stay far below protobuf's 2 GB.
    t.dataLocation = 0;
    t.externalData = [];
    t.rawData = new Uint8Array(values.buffer);
  }
  for (const node of graph.node ?? []) {
    for (const a of node.attribute ?? []) {
      if (a.t) widenInline(a.t);
      if (node.opType === 'Cast' && a.name === 'to' && Number(a.i) === DataType.FLOAT16) a.i = DataType.FLOAT;
    }
  }
  for (const io of [...(graph.input ?? []), ...(graph.output ?? [])]) {
    if (io.type?.tensorType?.elemType === DataType.FLOAT16) io.type.tensorType.elemType = DataType.FLOAT;
  }
  graph.valueInfo = [];
  const out = join(dir, 'model.fp32.onnx');
  writeFileSync(out, encodeModel(model));
  return out;
}
