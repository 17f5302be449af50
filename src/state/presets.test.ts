/**
 * Every preset is a valid edit for its model family's tokenizer (no unknown words, matching word
 * counts for swaps), checked with the real planner.
 */
import { describe, expect, it } from 'vitest';
import { CLIP_TOKENIZER_DIR } from '../../tests/helpers/fixtures';
import { TOY_MODEL_DIR } from '../../tests/helpers/toyModel';
import { localBlendAlphas, planEdit } from '../p2p';
import { loadClipTokenizer } from '../text';
import { PRESETS, applyPreset, matchingPreset, presetsFor } from './presets';
import { DEFAULT_RECIPE } from './recipe';
import { toGenerateRequest } from './toRequest';
import { decodeRecipe, encodeRecipe } from './urlCodec';

async function checkFamily(family: 'toy' | 'sd', dir: string) {
  const tok = await loadClipTokenizer(dir);
  for (const preset of PRESETS.filter((p) => p.family === family)) {
    const req = toGenerateRequest(applyPreset(DEFAULT_RECIPE, preset));
    const edit = req.edit!;
    expect(() => planEdit({ prompts: req.prompts, numSteps: req.steps, ...edit }, tok), preset.id).not.toThrow();
    if (edit.localBlend) expect(() => localBlendAlphas(req.prompts, edit.localBlend!.words, tok), preset.id).not.toThrow();
  }
}

describe('presets', () => {
  it('Stable Diffusion presets plan with the CLIP tokenizer', () => checkFamily('sd', CLIP_TOKENIZER_DIR));
  it('toy presets plan with the toy tokenizer', () => checkFamily('toy', `${TOY_MODEL_DIR}/tokenizer`));
});

describe('matchingPreset', () => {
  it('finds the preset just applied, on either model family, and none once a control changes', () => {
    for (const preset of PRESETS) {
      const model = preset.family === 'toy' ? DEFAULT_RECIPE.model : 'runwayml/stable-diffusion-v1-5';
      const applied = applyPreset({ ...DEFAULT_RECIPE, model }, preset);
      expect(matchingPreset(applied)?.id, preset.id).toBe(preset.id);
      expect(matchingPreset({ ...applied, steps: applied.steps + 1 }), preset.id).toBeUndefined();
    }
  });

  it('keeps matching after the recipe goes through a share link', () => {
    const preset = PRESETS.find((p) => p.id === 'toy-reweight')!;
    const applied = applyPreset({ ...DEFAULT_RECIPE, seed: 42 }, preset);
    expect(matchingPreset(decodeRecipe(encodeRecipe(applied)).recipe)?.id).toBe('toy-reweight');
  });

  it('offers each model its family', () => {
    expect(presetsFor('toy-shapes').every((p) => p.family === 'toy')).toBe(true);
    expect(presetsFor('owner/some-sd-model').every((p) => p.family === 'sd')).toBe(true);
  });
});
