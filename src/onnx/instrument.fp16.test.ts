/**
 * fp16 UNets (onnxruntime-node's CPU fp16 kernels): the instrumented fp16 graph follows the fp32 one
 * within fp16 precision, `p2p_attn` stays float32, and the default float32 boundary (Casts inside the
 * graph) gives the same numbers as feeding float16 directly.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { GRAPH, buildAttentionGraph } from '../../tests/helpers/attentionGraph';
import { maxAbsDiff } from '../../tests/helpers/fixtures';
import { toFloat16Model } from '../../tests/helpers/float16Model';
import { fromHalf, toHalf } from '../runtime/float16';
import { instrumentUnet, type InstrumentResult } from './index';
import { testTempDir } from '../../tests/helpers/tempDir';

const BATCH = 4;
const QUERIES = GRAPH.side * GRAPH.side;
const OPTIONS = { latentSize: [GRAPH.side, GRAPH.side] as [number, number], mapResolution: GRAPH.side, selfMaxQuery: QUERIES };

function noise(n: number, seed: number): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => Math.sin(i * 12.9898 + seed * 78.233) * 0.9);
}

async function run(result: InstrumentResult, type: 'float32' | 'float16'): Promise<{ out: Float32Array; attn: Float32Array; outType: string }> {
  const dir = testTempDir('p2p-fp16-');
  writeFileSync(join(dir, 'model.onnx'), result.model);
  if (result.externalData) writeFileSync(join(dir, result.externalData.path), result.externalData.data);
  const session = await ort.InferenceSession.create(join(dir, 'model.onnx'));
  const t = (data: Float32Array, dims: number[]) => (type === 'float16' ? new ort.Tensor('float16', toHalf(data), dims) : new ort.Tensor('float32', data, dims));
  const e = 1;
  const map = new Float32Array(77 * 77);
  for (let i = 0; i < 77; i++) map[i * 77 + ((i * 7) % 77)] = 1;
  const r = await session.run({
    sample: t(noise(BATCH * GRAPH.channels * QUERIES, 1), [BATCH, GRAPH.channels, GRAPH.side, GRAPH.side]),
    timestep: t(Float32Array.of(0.25), [1]),
    encoder_hidden_states: t(noise(BATCH * GRAPH.tokens * GRAPH.contextDim, 2), [BATCH, GRAPH.tokens, GRAPH.contextDim]),
    p2p_map: new ort.Tensor('float32', map, [e, 77, 77]),
    p2p_gain: new ort.Tensor('float32', new Float32Array(77).fill(0.7), [e, 77]),
    p2p_keep: new ort.Tensor('float32', new Float32Array(77).fill(0.3), [e, 77]),
    p2p_self: new ort.Tensor('float32', Float32Array.of(1), [1]),
  });
  const out = r.out_sample.type === 'float16' ? fromHalf(r.out_sample.data as Uint16Array) : (r.out_sample.data as Float32Array);
  return { out, attn: r.p2p_attn.data as Float32Array, outType: r.out_sample.type };
}

describe('fp16 UNets', () => {
  const fp32 = buildAttentionGraph('unfused');
  const fp16 = toFloat16Model(fp32);

  it('instrument to a graph that follows the fp32 one, with a float32 boundary by default', async () => {
    const reference = await run(instrumentUnet(fp32, OPTIONS), 'float32');
    const boundary = instrumentUnet(fp16, OPTIONS);
    expect(boundary.report).toMatchObject({ floatType: 'float16', ioType: 'float32' });
    const viaFloat32 = await run(boundary, 'float32');
    expect(viaFloat32.outType).toBe('float32');
    const scale = Math.max(...reference.out.map(Math.abs));
    expect(maxAbsDiff(viaFloat32.out, reference.out) / scale).toBeLessThan(1e-2);
    expect(maxAbsDiff(viaFloat32.attn, reference.attn)).toBeLessThan(1e-2);

    // Without the boundary the graph takes and returns float16: the same numbers up to an fp16 ulp
    // (ORT's optimiser may place the boundary Casts' rounding differently from our toHalf).
    const plain = instrumentUnet(fp16, { ...OPTIONS, float32Interface: false });
    expect(plain.report.ioType).toBe('float16');
    const viaFloat16 = await run(plain, 'float16');
    expect(viaFloat16.outType).toBe('float16');
    expect(maxAbsDiff(viaFloat16.out, viaFloat32.out) / scale).toBeLessThan(2e-3);
    expect(maxAbsDiff(viaFloat16.attn, viaFloat32.attn)).toBeLessThan(2e-3);
  });
});
