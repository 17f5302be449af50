/**
 * Classroom examples that fill the controls: for the embedded toy model (its grammar: "a [small|big]
 * <colour> <shape> [on the left|…]") and for Stable Diffusion (the reference notebook's examples).
 */
import { DEFAULT_RECIPE, type Recipe } from './recipe';

export interface Preset {
  id: string;
  title: string;
  /** What it shows, in one sentence. */
  teaches: string;
  family: 'toy' | 'sd';
  recipe: Partial<Recipe>;
}

const toy = (id: string, title: string, teaches: string, recipe: Partial<Recipe>): Preset => ({ id, title, teaches, family: 'toy', recipe });
const sd = (id: string, title: string, teaches: string, recipe: Partial<Recipe>): Preset => ({
  id, title, teaches, family: 'sd', recipe: { steps: 50, guidance: 7.5, seed: 8888, ...recipe },
});

export const PRESETS: Preset[] = [
  toy('toy-swap', 'Swap a shape', 'Circles float high and squares sit low; with Prompt-to-Prompt the square appears where the circle was (on this model in about half of the seeds; the others keep a round object: try Shuffle).', {
    prompt: 'a red circle', edits: ['a red square'], kind: 'auto', cross: 0.4, self: 0.2, crossWords: {}, blendWords: [], baseline: true,
  }),
  ...[0.9, 0.5, 0.1].map((f) =>
    toy(`toy-schedule-${f}`, `Schedule: cross ${f}`, 'More cross-attention injection keeps more of the source; less lets the new word reshape the object.', {
      prompt: 'a yellow star', edits: ['a yellow heart'], kind: 'auto', cross: f, self: 0.4, crossWords: {}, blendWords: [], baseline: false,
    }),
  ),
  toy('toy-local', 'Local edit (colour only)', 'LocalBlend keeps the source outside the region the words attend to.', {
    prompt: 'a blue triangle on the left', edits: ['a green triangle on the left'], kind: 'auto', cross: 0.8, self: 0.4,
    crossWords: {}, blendWords: [['triangle'], ['triangle']], blendThreshold: 0.3, baseline: true,
  }),
  toy('toy-refine', 'Add a word (refine)', 'Words added to the prompt get their own attention; the others inherit the source’s.', {
    prompt: 'a red circle', edits: ['a big red circle'], kind: 'auto', cross: 0.8, self: 0.4, crossWords: {}, blendWords: [], baseline: true,
  }),
  toy('toy-reweight', 'Reweight a word', 'Scaling a word’s attention strengthens (or weakens) its effect.', {
    prompt: 'a pink heart', edits: ['a pink heart'], kind: 'reweight', weights: { pink: 4 }, cross: 1, self: 0.2, crossWords: {}, blendWords: [], baseline: true,
  }),
  sd('sd-swap', 'Squirrel → lion / cat / deer', 'The reference notebook’s word swap with three edits at once.', {
    prompt: 'A painting of a squirrel eating a burger',
    edits: ['A painting of a lion eating a burger', 'A painting of a cat eating a burger', 'A painting of a deer eating a burger'],
    kind: 'replace', cross: 0.8, self: 0.4, crossWords: {}, blendWords: [],
  }),
  sd('sd-local', 'Burger → lasagne (local)', 'LocalBlend with a per-word window {"default_": 1, "lasagne": 0.2}.', {
    prompt: 'A painting of a squirrel eating a burger', edits: ['A painting of a squirrel eating a lasagne'], kind: 'replace',
    cross: 1, crossWords: { lasagne: 0.2 }, self: 0.4, blendWords: [['burger'], ['lasagne']], blendThreshold: 0.3,
  }),
  ...[0.9, 0.5, 0.1].map((f) =>
    sd(`sd-schedule-${f}`, `Schedule: cross ${f}`, 'The reference’s cross-attention schedule comparison.', {
      prompt: 'a cat riding a bicycle', edits: ['a dog riding a bicycle'], kind: 'replace', cross: f, self: 0.4, crossWords: {}, blendWords: [],
    }),
  ),
  sd('sd-refine', 'A house on a mountain … at winter', 'Refinement: the added words change the season, the scene stays.', {
    prompt: 'a photo of a house on a mountain', edits: ['a photo of a house on a mountain at winter'], kind: 'refine', cross: 0.8, self: 0.4, crossWords: {}, blendWords: [],
  }),
  sd('sd-reweight', 'A smiling bunny doll (×5 smiling)', 'Reweighting: more attention on “smiling”.', {
    prompt: 'a smiling bunny doll', edits: ['a smiling bunny doll'], kind: 'reweight', weights: { smiling: 5 }, cross: 0.8, self: 0.4, crossWords: {}, blendWords: [],
  }),
];

/** The recipe a preset produces on top of the current model and seed. */
export function applyPreset(current: Recipe, preset: Preset): Recipe {
  return { ...DEFAULT_RECIPE, model: current.model, seed: current.seed, weights: {}, ...preset.recipe };
}
