/**
 * The exporter-pattern corpus (tests/fixtures/exports/real-exporters): graphs written by the real exporters on
 * the GPU machine, stored without their weights. `materializeExport` writes one to a temp folder with seeded
 * random weights of each tensor's recorded mean and std, ready for onnxruntime-node.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { normals } from '../../scripts/random-sd/normals';
import { toHalf } from '../../src/runtime/float16';
import { REPO_ROOT } from './fixtures';
import { testTempDir } from './tempDir';

export const EXPORTS_DIR = join(REPO_ROOT, 'tests/fixtures/exports/real-exporters');

interface FillManifest {
  location: string;
  size: number;
  tensors: { name: string; dtype: 'float32' | 'float16'; dims: number[]; offset: number; length: number; mean: number; std: number }[];
}

/** Writes `<tmp>/model.onnx` and its weights file; returns the folder and the graph's path. */
export function materializeExport(name: string, seed = 1): { dir: string; file: string } {
  const src = join(EXPORTS_DIR, name);
  const dir = testTempDir(`p2p-export-${name}-`);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'model.onnx');
  writeFileSync(file, gunzipSync(readFileSync(join(src, 'model.onnx.gz'))));
  const fill = JSON.parse(readFileSync(join(src, 'fill.json'), 'utf8')) as FillManifest;
  const bytes = new Uint8Array(fill.size);
  const next = normals(seed);
  for (const t of fill.tensors) {
    const n = t.dims.reduce((a, b) => a * b, 1);
    const v = Float32Array.from({ length: n }, () => t.mean + t.std * next());
    const raw = t.dtype === 'float16' ? new Uint8Array(toHalf(v).buffer) : new Uint8Array(v.buffer);
    if (raw.byteLength !== t.length) throw new Error(`${name}: ${t.name} is ${raw.byteLength} bytes, the manifest says ${t.length}`);
    bytes.set(raw, t.offset);
  }
  writeFileSync(join(dir, fill.location), bytes);
  return { dir, file };
}

/** The UNets of the corpus (every folder but the text encoder), with their precision. */
export function corpusUnets(): { name: string; fp16: boolean }[] {
  type Inputs = [string, string, unknown][];
  const strip = JSON.parse(readFileSync(join(EXPORTS_DIR, 'strip.json'), 'utf8')) as Record<string, { ort_cpu?: { inputs?: Inputs }; graph_inputs?: Inputs }>;
  // graph_inputs: the graph's own declarations (strip.py records them where no onnxruntime Python package ran it).
  return Object.entries(strip)
    .filter(([n]) => n !== 'clip-text-encoder')
    .map(([n, s]) => ({ name: n, fp16: (s.graph_inputs ?? s.ort_cpu?.inputs)?.[0]?.[1] === 'tensor(float16)' }));
}
