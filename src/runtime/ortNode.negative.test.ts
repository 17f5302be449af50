// The negative prompt on the embedded toy model (real onnxruntime-node sessions): the unconditional rows the
// UNet sees are the text encoder's embedding of the negative prompt, "" is today's run bit for bit, and the
// guidance identity ε = ε(c_neg) + w·(ε(c) − ε(c_neg)) holds: with the prompt itself as negative prompt every
// guidance scale gives ε(c), i.e. the run at guidance 1.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate, type GenerateRequest } from '../diffusion';
import { maxAbsDiff } from '../../tests/helpers/fixtures';
import { TOY_MODEL_DIR, toySwap } from '../../tests/helpers/toyModel';
import { loadNodeModel, type NodeModel } from './nodeModel';

const STEPS = 6;
const plain: GenerateRequest = { prompts: ['a red circle'], seed: 8888, steps: STEPS, guidance: 7.5 };

/** Share of RGB channel values that differ by more than `tol` between two runs' images. */
function changedShare(a: Uint8ClampedArray[], b: Uint8ClampedArray[], tol = 2): number {
  let changed = 0;
  let total = 0;
  a.forEach((img, p) => {
    for (let i = 0; i < img.length; i++) {
      if (i % 4 === 3) continue;
      total += 1;
      if (Math.abs(img[i] - b[p][i]) > tol) changed += 1;
    }
  });
  return changed / total;
}

describe('negative prompt on the toy model (onnxruntime-node)', () => {
  let stock: NodeModel;
  let p2p: NodeModel;

  beforeAll(async () => {
    stock = await loadNodeModel(TOY_MODEL_DIR, { threads: 1 });
    p2p = await loadNodeModel(TOY_MODEL_DIR, { threads: 1, instrument: true });
  }, 120_000);

  afterAll(async () => {
    await stock?.dispose();
    await p2p?.dispose();
  });

  it('an empty negative prompt is the run without one, bit for bit', async () => {
    const without = await generate(stock, plain);
    const empty = await generate(stock, { ...plain, negativePrompt: '' });
    expect(Array.from(empty.uncond.tokenIds)).toEqual(stock.tokenizer.fit('', 77).ids);
    expect(empty.latents).toEqual(without.latents);
    expect(empty.images).toEqual(without.images);
  }, 120_000);

  it('feeds the negative prompt\'s embedding to the unconditional half of every UNet call, and changes the image', async () => {
    const negative = 'red';
    const contexts: Float32Array[] = [];
    const recording = { ...stock, backend: { ...stock.backend, unet: (inp: Parameters<typeof stock.backend.unet>[0]) => (contexts.push(inp.context.slice()), stock.backend.unet(inp)) } };
    const res = await generate(recording, { ...plain, negativePrompt: negative });
    const fitted = stock.tokenizer.fit(negative, 77);
    expect(Array.from(res.uncond.tokenIds)).toEqual(fitted.ids);
    expect(res.uncond.dropped).toBe(0);
    // The text encoder's own output for the negative prompt, encoded on its own.
    const encoded = await stock.backend.encodeText(Int32Array.from(fitted.ids), 1);
    expect(maxAbsDiff(res.uncond.embedding, encoded)).toBeLessThan(1e-6);
    const emptyRow = await stock.backend.encodeText(Int32Array.from(stock.tokenizer.fit('', 77).ids), 1);
    expect(maxAbsDiff(encoded, emptyRow)).toBeGreaterThan(1e-2);
    // Batch [uncond, cond]: the first row of each call's context is the negative prompt, the second the prompt.
    expect(contexts).toHaveLength(res.timesteps.length);
    for (const ctx of contexts) {
      expect(maxAbsDiff(ctx.subarray(0, encoded.length), encoded)).toBeLessThan(1e-6);
      expect(maxAbsDiff(ctx.subarray(encoded.length), res.textEmbeddings)).toBeLessThan(1e-6);
    }
    const without = await generate(stock, plain);
    console.info(`negative "${negative}": ${(100 * changedShare(res.images, without.images)).toFixed(1)}% of channel values moved by more than 2/255`);
    expect(changedShare(res.images, without.images)).toBeGreaterThan(0.05);
  }, 120_000);

  it('with the prompt itself as negative prompt, guidance has nothing to push on: the run at guidance 1', async () => {
    const self = await generate(stock, { ...plain, negativePrompt: plain.prompts[0] });
    const unguided = await generate(stock, { ...plain, guidance: 1 });
    expect(maxAbsDiff(self.latents, unguided.latents)).toBeLessThan(1e-4);
    const guided = await generate(stock, plain);
    expect(maxAbsDiff(self.latents, guided.latents)).toBeGreaterThan(1e-1);
  }, 120_000);

  it('P2P edits only the conditional half: the negative row is the same for source and edit, low-memory agrees', async () => {
    const swap: GenerateRequest = { ...toySwap(STEPS), negativePrompt: 'blue' };
    const contexts: Float32Array[] = [];
    const recording = { ...p2p, backend: { ...p2p.backend, unet: (inp: Parameters<typeof p2p.backend.unet>[0]) => (contexts.push(inp.context.slice()), p2p.backend.unet(inp)) } };
    const batched = await generate(recording, swap);
    const row = batched.uncond.embedding;
    for (const ctx of contexts) {
      // [uncond P0, uncond P1, cond P0, cond P1]
      expect(maxAbsDiff(ctx.subarray(0, row.length), row)).toBe(0);
      expect(maxAbsDiff(ctx.subarray(row.length, 2 * row.length), row)).toBe(0);
    }
    const lowMemory = await generate(p2p, { ...swap, lowMemory: true });
    expect(maxAbsDiff(lowMemory.latents, batched.latents)).toBeLessThan(1e-4);
    const withoutNegative = await generate(p2p, { ...swap, negativePrompt: undefined });
    expect(changedShare(batched.images, withoutNegative.images)).toBeGreaterThan(0.05);
  }, 120_000);

  it('truncates an over-long negative prompt to 77 tokens and says so, as for prompts', async () => {
    const long = Array.from({ length: 90 }, () => 'red').join(' ');
    const res = await generate(stock, { ...plain, steps: 1, negativePrompt: long });
    expect(res.uncond.dropped).toBe(90 + 2 - 77);
    expect(res.warnings).toEqual([`the negative prompt is too long: its last ${90 + 2 - 77} token(s) were dropped (77-token limit)`]);
  }, 120_000);

  it('refuses a negative prompt that is not text', async () => {
    await expect(generate(stock, { ...plain, negativePrompt: 7 as unknown as string })).rejects.toMatchObject({ code: 'bad-input', message: 'the negative prompt must be text' });
  });
});
