// onnxruntime-node sessions of the SD 1.5-sized UNet for `bench --gpu`: stock and instrumented graphs on one
// execution provider (webgpu, cuda, or cpu for a dry run), fp16 or fp32 feeds, one timed call at a time.

import * as ort from 'onnxruntime-node';
import { toHalf } from '../../src/runtime/float16';

import type { NodeExecutionProvider } from '../../src/runtime/ortNode';

export type GpuEp = NodeExecutionProvider;

function tensor(type: string, values: Float32Array, dims: number[]): ort.Tensor {
  if (type === 'float16') return new ort.Tensor('float16', toHalf(values), dims);
  if (type === 'float32') return new ort.Tensor('float32', values, dims);
  throw new Error(`unexpected input type ${type}`);
}

function gaussian(n: number, seed: number): Float32Array {
  let s = seed >>> 0 || 1;
  const next = (): number => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) + 0.5) / 4294967296;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.sqrt(-2 * Math.log(next())) * Math.cos(2 * Math.PI * next());
  return out;
}

function inputTypes(session: ort.InferenceSession): Map<string, string> {
  const types = new Map<string, string>();
  for (const m of session.inputMetadata) if (m.isTensor) types.set(m.name, m.type);
  return types;
}

export async function openSession(path: string, ep: GpuEp): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(path, { executionProviders: [ep], graphOptimizationLevel: 'all' });
}

/** Feeds for one CFG call of `prompts` prompts (batch 2·prompts) at latent `L`, context width `D`. */
export function feedsFor(session: ort.InferenceSession, opts: { prompts: number; latent: number; width: number; edit: boolean }): Record<string, ort.Tensor> {
  const types = inputTypes(session);
  const B = 2 * opts.prompts;
  const E = opts.prompts - 1;
  const feeds: Record<string, ort.Tensor> = {
    sample: tensor(types.get('sample')!, gaussian(B * 4 * opts.latent * opts.latent, 1), [B, 4, opts.latent, opts.latent]),
    timestep: tensor(types.get('timestep')!, Float32Array.of(901), [1]),
    encoder_hidden_states: tensor(types.get('encoder_hidden_states')!, gaussian(B * 77 * opts.width, 2), [B, 77, opts.width]),
  };
  if (!types.has('p2p_map')) return feeds;
  const map = new Float32Array(E * 77 * 77);
  for (let e = 0; e < E; e++) for (let i = 0; i < 77; i++) map[(e * 77 + i) * 77 + i] = 1;
  // Identity: G = 0, H = 1, no self replace. Edit: the swap's early calls (G = 1, H = 0, self replace on).
  feeds.p2p_map = new ort.Tensor('float32', map, [E, 77, 77]);
  feeds.p2p_gain = new ort.Tensor('float32', new Float32Array(E * 77).fill(opts.edit ? 1 : 0), [E, 77]);
  feeds.p2p_keep = new ort.Tensor('float32', new Float32Array(E * 77).fill(opts.edit ? 0 : 1), [E, 77]);
  feeds.p2p_self = new ort.Tensor('float32', Float32Array.of(opts.edit ? 1 : 0), [1]);
  return feeds;
}

/** One call, outputs read back to the CPU (what the engine does today); milliseconds. */
export async function timedCall(session: ort.InferenceSession, feeds: Record<string, ort.Tensor>): Promise<number> {
  const t0 = performance.now();
  const out = await session.run(feeds);
  for (const t of Object.values(out)) void (await t.getData());
  return performance.now() - t0;
}
