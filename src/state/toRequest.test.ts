import { describe, expect, it } from 'vitest';
import { DEFAULT_RECIPE } from './recipe';
import { toGenerateRequest } from './toRequest';

describe('toGenerateRequest', () => {
  it('a swap with per-word windows and LocalBlend', () => {
    const req = toGenerateRequest({
      ...DEFAULT_RECIPE,
      prompt: 'a red circle',
      edits: ['a red square'],
      cross: 0.8,
      crossWords: { square: 0.4 },
      blendWords: [['circle'], ['square']],
      blendThreshold: 0.3,
    });
    expect(req.prompts).toEqual(['a red circle', 'a red square']);
    expect(req.edit).toEqual({
      kind: 'replace',
      crossReplaceSteps: { default_: 0.8, square: 0.4 },
      selfReplaceSteps: DEFAULT_RECIPE.self,
      localBlend: { words: [['circle'], ['square']], threshold: 0.3 },
    });
  });

  it('a reweight of identical prompts uses the plain equalizer; of a refinement, refine as its base', () => {
    const plain = toGenerateRequest({ ...DEFAULT_RECIPE, prompt: 'a red circle', edits: ['a red circle'], kind: 'reweight', weights: { red: 4, circle: 1 } });
    expect(plain.edit).toMatchObject({ kind: 'reweight', equalizer: { words: ['red'], values: [4] } });
    expect(plain.edit).not.toHaveProperty('reweightBase');
    const refined = toGenerateRequest({ ...DEFAULT_RECIPE, prompt: 'a circle', edits: ['a red circle'], kind: 'reweight', weights: { red: 3 } });
    expect(refined.edit).toMatchObject({ reweightBase: 'refine' });
  });

  it('carries the negative prompt when there is one, and nothing for none', () => {
    expect(toGenerateRequest(DEFAULT_RECIPE)).not.toHaveProperty('negativePrompt');
    expect(toGenerateRequest({ ...DEFAULT_RECIPE, negativePrompt: 'blue' }).negativePrompt).toBe('blue');
  });
});
