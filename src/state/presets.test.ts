/**
 * Every preset is a valid edit for its model family's tokenizer (no unknown words, matching word
 * counts for swaps), checked with the real planner.
 */
import { describe, expect, it } from 'vitest';
import { CLIP_TOKENIZER_DIR } from '../../tests/helpers/fixtures';
import { TOY_EMOJI_DIR, TOY_MODEL_DIR } from '../../tests/helpers/toyModel';
import { localBlendAlphas, planEdit } from '../p2p';
import { loadPromptTokenizer } from '../text';
import { PRESETS, applyPreset, matchingPreset, presetsFor, steppedPreset } from './presets';
import { DEFAULT_RECIPE, type ModelFamily } from './recipe';
import { toGenerateRequest } from './toRequest';
import { decodeRecipe, encodeRecipe } from './urlCodec';

async function checkFamily(family: ModelFamily, dir: string) {
  const tok = await loadPromptTokenizer(dir);
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
  it('emoji presets plan with the emoji model’s tokenizer', () => checkFamily('emoji', `${TOY_EMOJI_DIR}/tokenizer`));

  it('the emoji presets follow the notebook: a swap, the 0.9 / 0.5 / 0.1 sweep, a local edit with a word window, several edits with per-word windows', () => {
    const emoji = presetsFor('toy-emoji');
    expect(emoji.map((p) => p.id)).toEqual(['emoji-swap', 'emoji-schedule-0.9', 'emoji-schedule-0.5', 'emoji-schedule-0.1', 'emoji-local', 'emoji-words', 'emoji-refine']);
    const local = emoji.find((p) => p.id === 'emoji-local')!.recipe;
    expect([local.cross, local.crossWords, local.blendWords]).toEqual([1, { lasagne: 0.2 }, [['pizza'], ['lasagne']]]);
    const words = emoji.find((p) => p.id === 'emoji-words')!.recipe;
    expect(words.edits).toHaveLength(3);
    expect(Object.keys(words.crossWords!)).toEqual(['bird', 'mouse', 'rabbit']);
  });
});

describe('matchingPreset', () => {
  it('finds the preset just applied, on either model family, and none once a control changes', () => {
    for (const preset of PRESETS) {
      const model = { toy: 'toy-shapes', emoji: 'toy-emoji', sd: 'runwayml/stable-diffusion-v1-5' }[preset.family];
      const applied = applyPreset({ ...DEFAULT_RECIPE, model }, preset);
      expect(matchingPreset(applied)?.id, preset.id).toBe(preset.id);
      expect(matchingPreset({ ...applied, steps: applied.steps + 1 }), preset.id).toBeUndefined();
    }
  });

  it('keeps matching after the recipe goes through a share link', () => {
    const preset = PRESETS.find((p) => p.id === 'toy-reweight')!;
    const applied = applyPreset({ ...DEFAULT_RECIPE, model: 'toy-shapes', seed: 42 }, preset);
    expect(matchingPreset(decodeRecipe(encodeRecipe(applied)).recipe)?.id).toBe('toy-reweight');
  });

  it('offers each model its family', () => {
    expect(presetsFor('toy-shapes').every((p) => p.family === 'toy')).toBe(true);
    expect(presetsFor('toy-emoji').every((p) => p.family === 'emoji')).toBe(true);
    expect(presetsFor('owner/some-sd-model').every((p) => p.family === 'sd')).toBe(true);
  });
});

describe('steppedPreset (the ] and [ shortcuts)', () => {
  it('walks the model family’s examples in order, wrapping, from the start when none matches', () => {
    const toy = presetsFor(DEFAULT_RECIPE.model);
    // The page's starting recipe is not one of the examples.
    expect(matchingPreset(DEFAULT_RECIPE)).toBeUndefined();
    expect(steppedPreset(DEFAULT_RECIPE, 1)?.id).toBe(toy[0].id);
    expect(steppedPreset(DEFAULT_RECIPE, -1)?.id).toBe(toy.at(-1)!.id);
    let recipe = applyPreset(DEFAULT_RECIPE, toy[0]);
    const seen = [toy[0].id];
    for (let k = 1; k < toy.length; k++) {
      const next = steppedPreset(recipe, 1)!;
      seen.push(next.id);
      recipe = applyPreset(recipe, next);
    }
    expect(seen).toEqual(toy.map((p) => p.id));
    expect(steppedPreset(recipe, 1)?.id).toBe(toy[0].id);
    expect(steppedPreset(applyPreset(DEFAULT_RECIPE, toy[0]), -1)?.id).toBe(toy.at(-1)!.id);
  });
});
