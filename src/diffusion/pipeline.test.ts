// Control flow of the generation loop with the real schedulers, tokenizer and edit plans over a tiny
// in-test Backend (no model): call counts, batch layout, plan tensors per call, low-memory, cancel.

import { beforeAll, describe, expect, it } from 'vitest';
import { planEdit, type WordTokenizer } from '../p2p';
import { loadPromptTokenizer, type PromptTokenizer } from '../text';
import { CLIP_TOKENIZER_DIR, loadFixture } from '../../tests/helpers/fixtures';
import type { Backend, UnetInputs } from './backend';
import { generate } from './pipeline';
import { AbortError, PipelineError, type GenerateRequest, type PipelineModel } from './pipelineTypes';
import { torchRandn } from './randn';
import { createScheduler } from './scheduler';

const D = 8;
const R = 2;

interface RecordedCall {
  dims: [number, number, number, number];
  timestep: number;
  p2p?: UnetInputs['p2p'];
}

/** A deterministic per-batch-row stand-in: ε = 0.1·x + 0.01·mean(context row); p2p_attn all ones. */
function stubBackend(instrumented: boolean, calls: RecordedCall[]): Backend {
  return {
    capabilities: { instrumented, mapResolution: instrumented ? R : null, latentChannels: 4, latentSize: [8, 8], contextLength: 77, hiddenSize: D, description: 'stub' },
    encodeText: async (ids, batch) => {
      const out = new Float32Array(batch * 77 * D);
      for (let i = 0; i < out.length; i++) out[i] = ids[Math.floor(i / D)] * 1e-4 + (i % D) * 0.01;
      return out;
    },
    unet: async (inp) => {
      calls.push({ dims: inp.sampleDims, timestep: inp.timestep, p2p: inp.p2p });
      const [B] = inp.sampleDims;
      const item = inp.sample.length / B;
      const ctxItem = inp.context.length / B;
      const noise = new Float32Array(inp.sample.length);
      for (let b = 0; b < B; b++) {
        let mean = 0;
        for (let i = 0; i < ctxItem; i++) mean += inp.context[b * ctxItem + i] / ctxItem;
        for (let i = 0; i < item; i++) noise[b * item + i] = 0.1 * inp.sample[b * item + i] + 0.01 * mean;
      }
      const prompts = (inp.p2p?.edits ?? 0) + 1;
      const attn = instrumented ? new Float32Array(prompts * R * R * 77).fill(1) : undefined;
      return { noise, attn };
    },
    decode: async (latents, dims) => {
      const [B, , h, w] = dims;
      const data = new Float32Array(B * 3 * h * 2 * w * 2).fill(0.5);
      return { data, dims: [B, 3, h * 2, w * 2] };
    },
    dispose: async () => {},
  };
}

interface SchedulerFixture {
  cases: { name: string; config: Record<string, unknown> }[];
}

let tokenizer: PromptTokenizer;
let sdConfig: Record<string, unknown>;

beforeAll(async () => {
  tokenizer = await loadPromptTokenizer(CLIP_TOKENIZER_DIR);
  sdConfig = loadFixture<SchedulerFixture>('schedulers.json').cases.find((c) => c.name === 'pndm-sd14')!.config;
});

function model(instrumented: boolean, calls: RecordedCall[]): PipelineModel {
  return { backend: stubBackend(instrumented, calls), tokenizer, schedulerConfig: sdConfig, scalingFactor: 0.18215 };
}

const swap: GenerateRequest = {
  prompts: ['a cat riding a bicycle', 'a dog riding a bicycle'],
  edit: { kind: 'replace', crossReplaceSteps: 0.8, selfReplaceSteps: 0.4 },
  seed: 8888,
  steps: 50,
  guidance: 7.5,
};

describe('generate: control flow', () => {
  it('makes one UNet call per PNDM timestep (51 for 50 steps) with the plan tensors of call k', async () => {
    const calls: RecordedCall[] = [];
    const progress: number[] = [];
    const res = await generate(model(true, calls), swap, { onProgress: (e) => progress.push(e.call) });
    const scheduler = createScheduler('pndm', sdConfig);
    scheduler.setTimesteps(50);
    expect(calls).toHaveLength(51);
    expect(calls.map((c) => c.timestep)).toEqual(scheduler.timesteps);
    expect(res.timesteps).toEqual(scheduler.timesteps);
    expect(progress).toEqual(Array.from({ length: 51 }, (_, i) => i + 1));
    expect(calls[0].dims).toEqual([4, 4, 8, 8]);
    const plan = planEdit({ prompts: swap.prompts, kind: 'replace', numSteps: 50, crossReplaceSteps: 0.8, selfReplaceSteps: 0.4 }, tokenizer as WordTokenizer);
    for (const k of [0, 20, 40, 41, 50]) {
      const expected = plan.call(k);
      expect(calls[k].p2p?.gain).toEqual(expected.gain);
      expect(calls[k].p2p?.keep).toEqual(expected.keep);
      expect(calls[k].p2p?.self).toBe(expected.selfReplace);
    }
    expect(res.attention?.resolution).toBe(R);
    expect(res.attention?.maps[0]).toBe(51);
    expect(res.images).toHaveLength(2);
    expect(res.images[0].length).toBe(16 * 16 * 4);
    expect(res.images[0][0]).toBe(191); // trunc((0.5 / 2 + 0.5) · 255)
  });

  it('starts every prompt from the one torch.randn(seed) latent', async () => {
    const res = await generate(model(false, []), { prompts: ['a cat', 'a dog'], seed: 8888, steps: 2, guidance: 7.5 });
    expect(res.initialLatent).toEqual(torchRandn(8888, [1, 4, 8, 8]));
  });

  it('baseline: identity p2p parameters on an instrumented UNet, none on a stock one', async () => {
    const instrumented: RecordedCall[] = [];
    await generate(model(true, instrumented), { ...swap, edit: undefined, steps: 3 });
    const p = instrumented[0].p2p!;
    expect(p.edits).toBe(1);
    expect(p.gain.every((v) => v === 0) && p.keep.every((v) => v === 1) && !p.self).toBe(true);
    const stock: RecordedCall[] = [];
    const res = await generate(model(false, stock), { ...swap, edit: undefined, steps: 3 });
    expect(stock.every((c) => c.p2p === undefined)).toBe(true);
    expect(res.attention).toBeUndefined();
  });

  it('low-memory mode: two calls per step, identity for uncond, same latents as the batched run', async () => {
    const batched = await generate(model(true, []), { ...swap, steps: 5 });
    const calls: RecordedCall[] = [];
    const low = await generate(model(true, calls), { ...swap, steps: 5, lowMemory: true });
    expect(calls).toHaveLength(12);
    expect(calls[0].dims).toEqual([2, 4, 8, 8]);
    expect(calls[0].p2p?.gain.every((v) => v === 0)).toBe(true);
    expect(calls[1].p2p?.gain.some((v) => v !== 0)).toBe(true);
    expect(low.latents).toEqual(batched.latents);
  });

  it('LocalBlend with threshold 1 (empty mask) keeps the source latent in every edit', async () => {
    const res = await generate(model(true, []), {
      ...swap,
      steps: 4,
      edit: { ...swap.edit!, localBlend: { words: [['cat'], ['dog']], threshold: 1 } },
    });
    const size = res.latents.length / 2;
    expect(res.latents.subarray(size)).toEqual(res.latents.subarray(0, size));
  });

  it('cancels before the next UNet call once the signal is aborted', async () => {
    const calls: RecordedCall[] = [];
    const signal = { aborted: false };
    const run = generate(model(true, calls), swap, { signal, onProgress: (e) => (signal.aborted = e.call >= 3) });
    await expect(run).rejects.toBeInstanceOf(AbortError);
    expect(calls).toHaveLength(3);
  });
});

describe('generate: bad input', () => {
  const reject = (instrumented: boolean, req: GenerateRequest) => generate(model(instrumented, []), req);

  it('refuses an edit on a stock UNet', async () => {
    await expect(reject(false, swap)).rejects.toMatchObject({ code: 'not-instrumented' });
  });
  it('suggests refine for a swap with different word counts', async () => {
    await expect(reject(true, { ...swap, prompts: ['a cat', 'a big dog'] })).rejects.toThrow(/refine/);
  });
  it('names LocalBlend words missing from a prompt', async () => {
    const edit = { ...swap.edit!, localBlend: { words: [['cat'], ['horse']] } };
    await expect(reject(true, { ...swap, edit })).rejects.toThrow(/horse/);
  });
  it('checks steps, guidance and seed ranges', async () => {
    for (const bad of [{ steps: 0 }, { steps: 2.5 }, { guidance: -1 }, { guidance: Number.NaN }, { seed: -3 }]) {
      await expect(reject(false, { ...swap, edit: undefined, ...bad })).rejects.toBeInstanceOf(PipelineError);
    }
  });
  it('truncates an over-long prompt and reports it', async () => {
    const long = Array.from({ length: 90 }, () => 'cat').join(' ');
    const res = await generate(model(false, []), { prompts: [long], seed: 1, steps: 1, guidance: 7.5 });
    expect(res.dropped[0]).toBe(90 + 2 - 77);
    expect(res.warnings[0]).toMatch(/dropped/);
  });
});
