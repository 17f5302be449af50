/**
 * A weightless graph written by tools/random-sd/export_skeletons.py, and the writer that turns it into a runnable
 * component folder: `model.onnx` plus `model.onnx_data` filled with seeded normals of each tensor's recorded mean
 * and std, streamed tensor by tensor (a 1.7 GB UNet never sits in memory).
 */
import { closeSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { decodeModel, encodeModel, type ModelProto } from '../../src/onnx/proto';
import { toHalf } from '../../src/runtime/float16';
import { convertToFloat16 } from './float16Graph';
import { normals } from './normals';

export interface FillTensor {
  name: string;
  dims: number[];
  mean: number;
  std: number;
}

export interface Skeleton {
  model: ModelProto;
  location: string;
  tensors: FillTensor[];
  /** The module's parameter count (torch's), including small tensors kept inline in the graph. */
  parameters: number;
}

export function readSkeleton(dir: string): Skeleton {
  const fill = JSON.parse(readFileSync(join(dir, 'fill.json'), 'utf8')) as { location: string; tensors: FillTensor[]; parameters: number };
  const model = decodeModel(gunzipSync(readFileSync(join(dir, 'model.onnx.gz'))));
  return { model, location: fill.location, tensors: fill.tensors, parameters: fill.parameters };
}

export interface WrittenComponent {
  graphBytes: number;
  dataBytes: number;
  precision: 'fp32' | 'fp16';
  parameters: number;
}

const CHUNK = 1 << 20;

/** Writes `<outDir>/model.onnx` and `<outDir>/<location>`; converts the graph to fp16 first when asked. */
export function writeComponent(skeleton: Skeleton, outDir: string, opts: { fp16: boolean; seed: number }): WrittenComponent {
  const { model, tensors, location } = skeleton;
  if (opts.fp16) convertToFloat16(model);
  const bytesPer = opts.fp16 ? 2 : 4;
  const byName = new Map((model.graph?.initializer ?? []).map((t) => [t.name ?? '', t]));
  let offset = 0;
  for (const t of tensors) {
    const init = byName.get(t.name);
    if (!init) throw new Error(`skeleton: fill.json names ${t.name}, which the graph does not have`);
    const length = t.dims.reduce((a, b) => a * b, 1) * bytesPer;
    init.externalData = [
      { key: 'location', value: location },
      { key: 'offset', value: String(offset) },
      { key: 'length', value: String(length) },
    ];
    offset += length;
  }
  const graph = encodeModel(model);
  writeFileSync(join(outDir, 'model.onnx'), graph);

  const fd = openSync(join(outDir, location), 'w');
  try {
    const next = normals(opts.seed);
    const chunk = new Float32Array(CHUNK);
    for (const t of tensors) {
      let left = t.dims.reduce((a, b) => a * b, 1);
      while (left > 0) {
        const n = Math.min(left, CHUNK);
        const part = chunk.subarray(0, n);
        for (let i = 0; i < n; i++) part[i] = t.mean + t.std * next();
        const raw = opts.fp16 ? toHalf(part) : part;
        writeSync(fd, new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength));
        left -= n;
      }
    }
  } finally {
    closeSync(fd);
  }
  return { graphBytes: graph.byteLength, dataBytes: offset, precision: opts.fp16 ? 'fp16' : 'fp32', parameters: skeleton.parameters };
}
