/**
 * Behaviour beyond the golden vectors: bad input gets a clear message, identity parameters change
 * nothing, and LocalBlend's generalisation to several edited prompts.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { CLIP_TOKENIZER_DIR } from '../../tests/helpers/fixtures';
import { loadPromptTokenizer, type PromptTokenizer } from '../text';
import { applyEdit, equalizer, localBlend, localBlendAlphas, planEdit, timeWordAlphas, type EditSpec } from './index';

let tok: PromptTokenizer;
beforeAll(async () => {
  tok = await loadPromptTokenizer(CLIP_TOKENIZER_DIR);
});

const swap: EditSpec = {
  prompts: ['a cat riding a bicycle', 'a dog riding a bicycle'],
  kind: 'replace',
  numSteps: 10,
  crossReplaceSteps: 0.8,
  selfReplaceSteps: 0.4,
};

describe('bad input', () => {
  it('rejects empty prompts, naming which', () => {
    expect(() => planEdit({ ...swap, prompts: ['', 'a dog'] }, tok)).toThrow('the source prompt is empty');
    expect(() => planEdit({ ...swap, prompts: ['a cat', 'a dog', '  '] }, tok)).toThrow('edited prompt 2 is empty');
    expect(() => planEdit({ ...swap, prompts: ['a cat'] }, tok)).toThrow(/at least one edited prompt/);
  });

  it('a swap with different word counts says both counts', () => {
    expect(() => planEdit({ ...swap, prompts: ['a cat riding a bicycle', 'a big dog riding a bicycle'] }, tok)).toThrow(
      /prompt A has 5 words and prompt B has 6 words/,
    );
  });

  it('unknown words in the per-word schedule are named', () => {
    expect(() => planEdit({ ...swap, crossReplaceSteps: { default_: 0.8, lion: 0.4 } }, tok)).toThrow(
      'the word "lion" is in none of the edited prompts',
    );
  });

  it('unknown LocalBlend words are named with their prompt', () => {
    expect(() => localBlendAlphas(swap.prompts, [['cat'], ['lion']], tok)).toThrow(
      'LocalBlend: word "lion" is not in the prompt "a dog riding a bicycle"',
    );
    expect(() => localBlendAlphas(swap.prompts, [['cat']], tok)).toThrow(/one word list per prompt/);
  });

  it('unknown reweight words are named', () => {
    expect(() => equalizer('a cat', ['dog'], [2], tok)).toThrow('reweight: word "dog" is not in the prompt "a cat"');
    expect(() => planEdit({ ...swap, kind: 'reweight' }, tok)).toThrow(/needs equalizer words/);
  });

  it.each([
    [{ crossReplaceSteps: 1.2 }, /cross-attention replace steps must lie in \[0, 1\]/],
    [{ crossReplaceSteps: -0.1 }, /must lie in \[0, 1\]/],
    [{ crossReplaceSteps: [0.6, 0.2] as [number, number] }, /starts after it ends/],
    [{ crossReplaceSteps: { default_: 0.8, dog: 2 } }, /replace steps for "dog" must lie in \[0, 1\]/],
    [{ selfReplaceSteps: Number.NaN }, /self-attention replace steps must lie in \[0, 1\]/],
    [{ selfReplaceSteps: [0.1, 0.2, 0.3] as unknown as [number, number] }, /fraction in \[0, 1\] or a \[start, end\] pair/],
    [{ numSteps: 0 }, /numSteps must be a positive integer/],
  ])('out-of-range %j is a clear error', (patch, message) => {
    expect(() => planEdit({ ...swap, ...patch }, tok)).toThrow(message);
  });

  it('asks for UNet calls inside the plan only', () => {
    const plan = planEdit(swap, tok);
    expect(plan.calls).toBe(11);
    expect(() => plan.call(11)).toThrow(/outside the plan \(0 … 10\)/);
  });
});

describe('plan semantics', () => {
  it('windows follow UNet calls: cross 0.8 of 11 rows, self 0.4 of 10 steps', () => {
    const plan = planEdit(swap, tok);
    expect(plan.selfReplaceCalls).toEqual([0, 4]);
    expect(plan.call(3).selfReplace).toBe(true);
    expect(plan.call(4).selfReplace).toBe(false);
    expect(plan.call(7).gain[5]).toBe(1); // int(0.8 · 11) = 8 rows injected
    expect(plan.call(8).gain[5]).toBe(0);
    expect(plan.call(8).keep[5]).toBe(1);
  });

  it('identity parameters (G = 0, H = 1, no self replace) leave attention untouched', () => {
    const prompts = 3;
    const heads = 2;
    const dims: [number, number, number] = [2 * prompts * heads, 16, 77];
    const attn = Float32Array.from({ length: dims[0] * dims[1] * dims[2] }, (_, i) => Math.sin(i) ** 2);
    const identity = {
      map: new Float32Array(2 * 77 * 77),
      gain: new Float32Array(2 * 77),
      keep: new Float32Array(2 * 77).fill(1),
      selfReplace: false,
    };
    expect(applyEdit(attn, dims, prompts, true, identity)).toEqual(attn);
    const self = attn.subarray(0, dims[0] * 16 * 16);
    expect(applyEdit(self, [dims[0], 16, 16], prompts, false, identity)).toEqual(self);
  });

  it('self-attention is replaced only up to the query threshold', () => {
    const params = { ...planEdit(swap, tok).call(0) };
    const dims: [number, number, number] = [4, 9, 9];
    const attn = Float32Array.from({ length: 4 * 81 }, (_, i) => i);
    const small = applyEdit(attn, dims, 2, false, params, 9);
    expect(Array.from(small.subarray(3 * 81))).toEqual(Array.from(attn.subarray(2 * 81, 3 * 81)));
    expect(applyEdit(attn, dims, 2, false, params, 8)).toEqual(attn);
  });

  it('low-memory mode edits its single group', () => {
    const params = planEdit(swap, tok).call(0);
    const attn = Float32Array.from({ length: 2 * 4 * 77 }, (_, i) => (i % 7) / 7);
    const one = applyEdit(attn, [2, 4, 77], 2, true, params, 256, 1);
    const two = applyEdit(new Float32Array([...new Float32Array(2 * 4 * 77), ...attn]), [4, 4, 77], 2, true, params);
    expect(one).toEqual(two.subarray(2 * 4 * 77));
    expect(() => applyEdit(attn, [2, 4, 77], 2, true, params)).toThrow(/groups \(2\) × prompts \(2\) × heads/);
  });

  it('per-word windows apply to the prompts holding the word', () => {
    const prompts = ['a cat riding a bicycle', 'a dog riding a bicycle', 'a cat riding a car'];
    const alpha = timeWordAlphas(prompts, 4, { default_: 1, car: 0.4 }, tok);
    const row = (r: number, e: number, t: number) => alpha[(r * 2 + e) * 77 + t];
    expect([0, 1, 2, 3, 4].map((r) => row(r, 1, 5))).toEqual([1, 1, 0, 0, 0]); // "car" in edit 2
    expect([0, 1, 2, 3, 4].map((r) => row(r, 0, 5))).toEqual([1, 1, 1, 1, 1]); // edit 1 has no "car"
  });

  it('reweight rows use each edited prompt\'s own word positions', () => {
    const plan = planEdit(
      {
        prompts: ['a red cat', 'a red cat', 'a very red cat'],
        kind: 'reweight',
        numSteps: 4,
        crossReplaceSteps: 1,
        selfReplaceSteps: 0,
        equalizer: { words: ['red'], values: [3] },
      },
      tok,
    );
    const { gain } = plan.call(0);
    expect(gain[2]).toBe(3); // "red" is token 2 of edit 1
    expect(gain[77 + 3]).toBe(3); // and token 3 of edit 2
    expect(gain[77 + 2]).toBe(1);
  });
});

describe('LocalBlend with several edited prompts', () => {
  it('each edit keeps its own region united with the source\'s, nothing from other edits', () => {
    const prompts = ['a cat', 'a dog', 'a owl'];
    const res = 4;
    const pixels = res * res;
    const maps = new Float32Array(3 * pixels * 77);
    // Source word at pixel 0, edit 1's at pixel 5, edit 2's at pixel 15 (token 2 = the animal).
    const hot = [0, 5, 15];
    hot.forEach((px, p) => (maps[(p * pixels + px) * 77 + 2] = 1));
    const alphas = localBlendAlphas(prompts, [['cat'], ['dog'], ['owl']], tok);
    const latents = new Float32Array(3 * pixels).map((_, i) => Math.floor(i / pixels) + 1); // prompt p = p + 1
    const out = localBlend(latents, [3, 1, res, res], maps, res, alphas, 0.5);
    const inEdit = (p: number, px: number) => out[p * pixels + px] !== 1;
    // 3×3 max-pool grows each hot pixel to its neighbours.
    expect(inEdit(1, 0)).toBe(true);
    expect(inEdit(1, 5)).toBe(true);
    expect(inEdit(1, 15)).toBe(false);
    expect(inEdit(2, 15)).toBe(true);
    expect(inEdit(2, 0)).toBe(true);
    expect(inEdit(2, 6)).toBe(false);
    expect(Array.from(out.subarray(0, pixels))).toEqual(Array.from(latents.subarray(0, pixels)));
  });

  it('words with no attention anywhere keep the source latent', () => {
    const alphas = localBlendAlphas(['a cat', 'a dog'], [['cat'], ['dog']], tok);
    const latents = Float32Array.from({ length: 2 * 4 }, (_, i) => i);
    const out = localBlend(latents, [2, 1, 2, 2], new Float32Array(2 * 4 * 77), 2, alphas, 0.3);
    expect(Array.from(out.subarray(4))).toEqual([0, 1, 2, 3]);
  });
});
