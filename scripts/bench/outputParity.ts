// Two UNet graphs fed the same batch-4 inputs on one execution provider, their `out_sample` compared: the GPU
// pack's check of fused (com.microsoft.MultiHeadAttention) against materialised unedited self-attention.

import type * as ort from 'onnxruntime-node';
import { fromHalf } from '../../src/runtime/float16';
import { feedsFor, openSession, type GpuEp } from './gpuSession';

export interface Parity {
  /** max |a − b| over the output. */
  maxAbs: number;
  /** max |a|: the output's scale. */
  scale: number;
  /** maxAbs / scale. */
  rel: number;
}

async function firstOutput(s: ort.InferenceSession, feeds: Record<string, ort.Tensor>): Promise<Float32Array> {
  const out = await s.run(feeds);
  const t = out[s.outputNames[0]];
  const data = await t.getData();
  if (data instanceof Float32Array) return data;
  if (data instanceof Uint16Array) return fromHalf(data);
  throw new Error(`unexpected output type ${t.type}`);
}

export function compare(a: Float32Array, b: Float32Array): Parity {
  if (a.length !== b.length) throw new Error(`outputs differ in size: ${a.length} vs ${b.length}`);
  let maxAbs = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    // NaN must not pass as agreement.
    if (!(d <= maxAbs)) maxAbs = Number.isNaN(d) ? Infinity : d;
    scale = Math.max(scale, Math.abs(a[i]));
  }
  return { maxAbs, scale, rel: scale > 0 ? maxAbs / scale : maxAbs };
}

/** `reference` and `candidate` on the same feeds (identity parameters, then the edit's). */
export async function graphParity(reference: string, candidate: string, o: { ep: GpuEp; latent: number; width: number }): Promise<{ identity: Parity; edit: Parity }> {
  const a = await openSession(reference, o.ep);
  const b = await openSession(candidate, o.ep);
  try {
    const shape = { prompts: 2, latent: o.latent, width: o.width };
    const run = async (edit: boolean): Promise<Parity> => {
      const feeds = feedsFor(a, { ...shape, edit });
      return compare(await firstOutput(a, feeds), await firstOutput(b, feeds));
    };
    return { identity: await run(false), edit: await run(true) };
  } finally {
    await a.release();
    await b.release();
  }
}
