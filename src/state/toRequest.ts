/**
 * Turns the shareable recipe into the engine's generate request (the Prompt-to-Prompt controller
 * of the reference: kind, cross/self windows with per-word overrides, equalizer, LocalBlend; and the
 * negative prompt, which the whole run shares).
 */
import type { EngineGenerateRequest } from '../../workers/protocol';
import { resolveKind, reweightBase, type Recipe } from './recipe';

export function toGenerateRequest(recipe: Recipe): EngineGenerateRequest {
  const prompts = [recipe.prompt, ...recipe.edits];
  const kind = resolveKind(recipe);
  const cross = Object.keys(recipe.crossWords).length > 0 ? { default_: recipe.cross, ...recipe.crossWords } : recipe.cross;
  const weighted = Object.entries(recipe.weights).filter(([, v]) => v !== 1);
  const base = kind === 'reweight' ? reweightBase(recipe) : undefined;
  return {
    prompts,
    // Only when there is one: a recipe without it makes the same request as before negative prompts.
    ...(recipe.negativePrompt !== '' ? { negativePrompt: recipe.negativePrompt } : {}),
    edit: {
      kind,
      crossReplaceSteps: cross,
      selfReplaceSteps: recipe.self,
      ...(kind === 'reweight' ? { equalizer: { words: weighted.map(([w]) => w), values: weighted.map(([, v]) => v) } } : {}),
      ...(base ? { reweightBase: base } : {}),
      ...(recipe.blendWords.length > 0 ? { localBlend: { words: recipe.blendWords, threshold: recipe.blendThreshold } } : {}),
    },
    seed: recipe.seed,
    steps: recipe.steps,
    guidance: recipe.guidance,
    scheduler: recipe.scheduler,
    baseline: recipe.baseline,
  };
}
