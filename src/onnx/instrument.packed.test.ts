/**
 * UNets as onnxruntime's transformers optimizer packs them (fusion_attention_unet.py with packed QKV and packed
 * KV: one interleaved GEMM, Reshape to [B, n, N, 3|2, H], MultiHeadAttention). onnxruntime's CPU provider cannot
 * run packed QKV ("not implemented for CPU"), so the reference is the same layers with separate Q/K/V inputs and
 * the same weights, run by onnxruntime's own MultiHeadAttention kernel (at opsets 17 and 14): identity parameters on the instrumented
 * packed graph reproduce it, and under an edit the packed and unpacked instrumented graphs agree.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { GRAPH, buildAttentionGraph } from '../../tests/helpers/attentionGraph';
import { maxAbsDiff } from '../../tests/helpers/fixtures';
import { instrumentUnet, type InstrumentResult } from './index';
import { testTempDir } from '../../tests/helpers/tempDir';

const BATCH = 4;
const QUERIES = GRAPH.side * GRAPH.side;
const OPTIONS = { latentSize: [GRAPH.side, GRAPH.side] as [number, number], mapResolution: GRAPH.side, selfMaxQuery: QUERIES };
const noise = (n: number, seed: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * 12.9898 + seed * 78.233) * 0.9);

async function open(model: Uint8Array): Promise<ort.InferenceSession> {
  const dir = testTempDir('p2p-packed-');
  writeFileSync(join(dir, 'model.onnx'), model);
  return ort.InferenceSession.create(join(dir, 'model.onnx'));
}

const base = () => ({
  sample: new ort.Tensor('float32', noise(BATCH * GRAPH.channels * QUERIES, 1), [BATCH, GRAPH.channels, GRAPH.side, GRAPH.side]),
  timestep: new ort.Tensor('float32', Float32Array.of(0.25), [1]),
  encoder_hidden_states: new ort.Tensor('float32', noise(BATCH * GRAPH.tokens * GRAPH.contextDim, 2), [BATCH, GRAPH.tokens, GRAPH.contextDim]),
});

function p2p(edit: boolean) {
  const map = new Float32Array(77 * 77);
  for (let i = 0; i < 77; i++) map[i * 77 + (edit ? (i * 7) % 77 : i)] = 1;
  return {
    p2p_map: new ort.Tensor('float32', map, [1, 77, 77]),
    p2p_gain: new ort.Tensor('float32', new Float32Array(77).fill(edit ? 0.7 : 0), [1, 77]),
    p2p_keep: new ort.Tensor('float32', new Float32Array(77).fill(edit ? 0.3 : 1), [1, 77]),
    p2p_self: new ort.Tensor('float32', Float32Array.of(edit ? 1 : 0), [1]),
  };
}

async function runInstrumented(result: InstrumentResult, edit: boolean): Promise<{ out: Float32Array; attn: Float32Array }> {
  const s = await open(result.model);
  const r = await s.run({ ...base(), ...p2p(edit) });
  await s.release();
  return { out: r.out_sample.data as Float32Array, attn: r.p2p_attn.data as Float32Array };
}

// Opset 14 as well: onnxruntime's optimizer keeps the export's opset (torch's default 14), so there is no CastLike.
describe.each([17, 14])('ORT-packed MultiHeadAttention (packed QKV self-attention, packed KV cross-attention), opset %i', (opset) => {
  const packed = instrumentUnet(buildAttentionGraph('packed', opset), OPTIONS);
  const unpacked = instrumentUnet(buildAttentionGraph('fused', opset), OPTIONS);

  it('finds the same layers, self and cross, at the same places', () => {
    const summary = (r: InstrumentResult) => r.report.layers.map((l) => [l.name, l.kind, l.queryLength]);
    expect(summary(packed)).toEqual(summary(unpacked));
    expect(packed.report.layers.map((l) => l.kind)).toEqual(['self', 'cross', 'self', 'cross']);
  });

  it('identity parameters reproduce the stock graph (separate Q/K/V inputs, onnxruntime’s kernel) within 1e-5', async () => {
    const stock = await open(buildAttentionGraph('fused', opset));
    const ref = (await stock.run(base())).out_sample.data as Float32Array;
    await stock.release();
    const { out } = await runInstrumented(packed, false);
    const scale = ref.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
    expect(maxAbsDiff(out, ref)).toBeLessThan(1e-5 * scale);
  });

  it('under a swap edit with self-attention replacement the packed and unpacked graphs agree, and the edit acts', async () => {
    const a = await runInstrumented(packed, true);
    const b = await runInstrumented(unpacked, true);
    const scale = b.out.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
    expect(maxAbsDiff(a.out, b.out)).toBeLessThan(1e-5 * scale);
    expect(maxAbsDiff(a.attn, b.attn)).toBeLessThan(1e-5);
    const identity = await runInstrumented(packed, false);
    expect(maxAbsDiff(a.out, identity.out)).toBeGreaterThan(1e-3 * scale);
  });
});
