/**
 * Probe: onnxruntime's `com.microsoft.MultiHeadAttention` on one execution provider against a float64 reference,
 * over a grid of shapes (batch, query/key lengths, heads, head size, explicit scale). Written to find what makes the
 * fused kernel differ from materialised attention on WebGPU (SwiftShader); run on a real GPU by the pack's parity
 * check. Usage (Node, onnxruntime-node):
 *   npx tsx scripts/probe/mhaProbe.ts [--ep cpu|webgpu|cuda]
 * WebGPU here needs SwiftShader's Vulkan ICD:
 *   VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json LD_LIBRARY_PATH=/usr/lib/chromium npx tsx scripts/probe/mhaProbe.ts --ep webgpu
 */
import * as ort from 'onnxruntime-node';
import { filled } from '../../src/diffusion/unetTiming';
import { DataType, encodeModel, onnx } from '../../src/onnx/proto';
import type { NodeExecutionProvider } from '../../src/runtime/ortNode';

export interface Case {
  batch: number;
  seq: number;
  kvSeq: number;
  heads: number;
  headSize: number;
  scale?: number;
}

function mhaModel(c: Case): Uint8Array {
  const io = (name: string, seq: number) =>
    onnx.ValueInfoProto.create({
      name,
      type: { tensorType: { elemType: DataType.FLOAT, shape: { dim: [c.batch, seq, c.heads * c.headSize].map((v) => ({ dimValue: v })) } } },
    });
  const attrs = [onnx.AttributeProto.create({ name: 'num_heads', type: onnx.AttributeProto.AttributeType.INT, i: c.heads })];
  if (c.scale !== undefined) attrs.push(onnx.AttributeProto.create({ name: 'scale', type: onnx.AttributeProto.AttributeType.FLOAT, f: c.scale }));
  return encodeModel({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 17 }, { domain: 'com.microsoft', version: 1 }],
    graph: {
      name: 'mha',
      node: [{ opType: 'MultiHeadAttention', domain: 'com.microsoft', input: ['q', 'k', 'v'], output: ['out'], attribute: attrs }],
      input: [io('q', c.seq), io('k', c.kvSeq), io('v', c.kvSeq)],
      output: [io('out', c.seq)],
    },
  });
}

/** Deterministic values in [−amp, amp). */
function values(n: number, seed: number, amp: number): Float32Array {
  return filled(n, seed).map((v) => amp * v);
}

/** softmax(q·kᵀ·scale)·v per batch and head, in float64. */
function reference(c: Case, q: Float32Array, k: Float32Array, v: Float32Array): Float64Array {
  const width = c.heads * c.headSize;
  const scale = c.scale ?? 1 / Math.sqrt(c.headSize);
  const out = new Float64Array(c.batch * c.seq * width);
  const scores = new Float64Array(c.kvSeq);
  for (let b = 0; b < c.batch; b++)
    for (let h = 0; h < c.heads; h++)
      for (let i = 0; i < c.seq; i++) {
        let max = -Infinity;
        for (let j = 0; j < c.kvSeq; j++) {
          let dot = 0;
          for (let d = 0; d < c.headSize; d++) dot += q[(b * c.seq + i) * width + h * c.headSize + d] * k[(b * c.kvSeq + j) * width + h * c.headSize + d];
          scores[j] = dot * scale;
          max = Math.max(max, scores[j]);
        }
        let sum = 0;
        for (let j = 0; j < c.kvSeq; j++) sum += scores[j] = Math.exp(scores[j] - max);
        for (let d = 0; d < c.headSize; d++) {
          let acc = 0;
          for (let j = 0; j < c.kvSeq; j++) acc += scores[j] * v[(b * c.kvSeq + j) * width + h * c.headSize + d];
          out[(b * c.seq + i) * width + h * c.headSize + d] = acc / sum;
        }
      }
  return out;
}

export async function probe(c: Case, ep: NodeExecutionProvider, amp: number): Promise<{ maxAbs: number; rel: number }> {
  const width = c.heads * c.headSize;
  const q = values(c.batch * c.seq * width, 1, amp);
  const k = values(c.batch * c.kvSeq * width, 2, amp);
  const v = values(c.batch * c.kvSeq * width, 3, 1);
  const session = await ort.InferenceSession.create(mhaModel(c), { executionProviders: [ep] });
  try {
    const dims = (seq: number) => [c.batch, seq, width];
    const out = await session.run({ q: new ort.Tensor('float32', q, dims(c.seq)), k: new ort.Tensor('float32', k, dims(c.kvSeq)), v: new ort.Tensor('float32', v, dims(c.kvSeq)) });
    const got = (await out.out.getData()) as Float32Array;
    const want = reference(c, q, k, v);
    let maxAbs = 0;
    let scale = 0;
    for (let i = 0; i < want.length; i++) {
      maxAbs = Math.max(maxAbs, Math.abs(got[i] - want[i]));
      scale = Math.max(scale, Math.abs(want[i]));
    }
    return { maxAbs, rel: maxAbs / scale };
  } finally {
    await session.release();
  }
}

/** One probed shape: its name, dims, and max |Δ| against the reference (relative to the output's scale) at q, k amplitudes 1 and 4. */
export interface MhaProbeRow {
  name: string;
  shape: Case;
  results: { amp: number; maxAbs?: number; rel?: number; error?: string }[];
}

// The toy UNet's fused layers: batch 4 (2 prompts × guidance), 64 queries, 2 heads of 32. onnxruntime-web 1.30 on
// SwiftShader (subgroup size 4) is wrong exactly where head size % 4 = 0 and there are ≥ 32 queries (its
// flash-attention path); the other rows bracket that.
const TOY: Case = { batch: 4, seq: 64, kvSeq: 64, heads: 2, headSize: 32 };
export const MHA_CASES: [string, Case][] = [
  ['toy 64-query self layer', TOY],
  ['batch 1', { ...TOY, batch: 1 }],
  ['8 heads of 8', { ...TOY, heads: 8, headSize: 8 }],
  ['SD 1.5 level 0 heads (8 × 40)', { ...TOY, heads: 8, headSize: 40 }],
  ['head size 6 (not a multiple of 4)', { ...TOY, heads: 2, headSize: 6 }],
  ['31 queries', { ...TOY, seq: 31, kvSeq: 31 }],
  ['32 queries', { ...TOY, seq: 32, kvSeq: 32 }],
  ['256 queries', { ...TOY, seq: 256, kvSeq: 256 }],
  ['16 queries, 64 keys', { ...TOY, seq: 16 }],
  ['64 queries, 16 keys', { ...TOY, kvSeq: 16 }],
  ['77 keys (cross)', { ...TOY, kvSeq: 77 }],
  ['explicit scale 0.125', { ...TOY, scale: 0.125 }],
];

export async function probeAll(ep: NodeExecutionProvider): Promise<MhaProbeRow[]> {
  const rows: MhaProbeRow[] = [];
  for (const [name, shape] of MHA_CASES) {
    const results: MhaProbeRow['results'] = [];
    for (const amp of [1, 4]) {
      try {
        results.push({ amp, ...(await probe(shape, ep, amp)) });
      } catch (err) {
        results.push({ amp, error: (err as Error).message.split('\n')[0].slice(0, 160) });
      }
    }
    rows.push({ name, shape, results });
  }
  return rows;
}

/** A markdown table of probe rows. */
export function mhaTable(rows: MhaProbeRow[]): string {
  const cell = (r: MhaProbeRow['results'][number]) => (r.error !== undefined ? `error: ${r.error}` : `${r.maxAbs!.toExponential(2)} (${r.rel!.toExponential(2)})`);
  const lines = ['| case | q, k in ±1: max \\|Δ\\| (relative) | q, k in ±4 |', '| --- | --- | --- |'];
  for (const { name, shape: c, results } of rows) {
    lines.push(`| ${name} [B ${c.batch}, S ${c.seq}, kv ${c.kvSeq}, ${c.heads}×${c.headSize}${c.scale ? `, scale ${c.scale}` : ''}] | ${results.map(cell).join(' | ')} |`);
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const at = process.argv.indexOf('--ep');
  const ep = (at > 0 ? process.argv[at + 1] : 'cpu') as NodeExecutionProvider;
  console.log(`MultiHeadAttention on ${ep} vs a float64 reference (v in ±1)`);
  console.log(mhaTable(await probeAll(ep)));
}

if (process.argv[1]?.endsWith('mhaProbe.ts')) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
