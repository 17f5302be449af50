/**
 * Every preset is a valid edit for its model family's tokenizer (no unknown words, matching word
 * counts for swaps), checked with the real planner.
 */
import { describe, expect, it } from 'vitest';
import { CLIP_TOKENIZER_DIR } from '../../tests/helpers/fixtures';
import { TOY_MODEL_DIR } from '../../tests/helpers/toyModel';
import { localBlendAlphas, planEdit } from '../p2p';
import { loadClipTokenizer } from '../text';
import { PRESETS, applyPreset } from './presets';
import { DEFAULT_RECIPE } from './recipe';
import { toGenerateRequest } from './toRequest';

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
