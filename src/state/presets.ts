/**
 * Classroom examples that fill the controls: for the embedded toy model (its grammar: "a [small|big]
 * <colour> <shape> [on the left|…]"), for the embedded emoji model (the reference notebook's sections on its
 * nouns: tools/toy-model/emoji_world.py) and for Stable Diffusion (the reference notebook's examples).
 */
import { DEFAULT_RECIPE, FAMILY_DEFAULTS, modelFamily, type ModelFamily, type Recipe } from './recipe';
import { encodeRecipe } from './urlCodec';

export interface Preset {
  id: string;
  title: string;
  /** What it shows, in one sentence. */
  teaches: string;
  family: ModelFamily;
  recipe: Partial<Recipe>;
}

const toy = (id: string, title: string, teaches: string, recipe: Partial<Recipe>): Preset => ({ id, title, teaches, family: 'toy', recipe });
const emoji = (id: string, title: string, teaches: string, recipe: Partial<Recipe>): Preset => {
  const { steps, guidance } = FAMILY_DEFAULTS.emoji;
  return { id, title, teaches, family: 'emoji', recipe: { steps, guidance, seed: 8888, ...recipe } };
};
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
  // Reweighting "small" (was: "a pink heart" with pink ×4, which gave an almost empty dark image). Measured with
  // `npm run generate -- --model public/models/toy-shapes --kind reweight --cross 1 --self 0.2 --steps 20`, seed 8888,
  // 32×32 images, "object px" = pixels with a channel > 120 (the shape), "bg" = mean grey of the other pixels:
  //   "a pink heart", pink ×1 (the source): 123 object px, bg 53.6 (green); ×1.5: 107 px, bg 51.7; ×2: 95 px, bg
  //   31.0 (near black); ×2.5: 77 px, bg 29.3; ×3: 56 px, bg 28.8; ×4: 9 px, bg 23.8 (a few pink specks on black:
  //   the "broken" image); ×0.5: 135, ×0: 147, ×−1: 201 px (a bigger heart, bg ≈ 54). cross 0.4 instead of 1: ×4
  //   23 px, bg 25.3.
  //   The toy model's "pink" tile spreads over the background too, so a factor on it rescales every pixel's
  //   cross-attention output, not only the heart's: past ×1.5 the whole latent leaves what the model was trained
  //   on (dark background, shrinking shape) instead of becoming "more pink". heart ×2 / ×0.5: 117 / 113 px (barely changes).
  //   "a small pink heart", small ×1: 56 object px; ×2: 43; ×3: 36 (bg 48 vs 53: a smaller heart, same scene);
  //   ×4: 32 px but bg 28 (dark again); ×0: 118 px (normal size: "small" switched off). Seeds 1, 2, 3 agree
  //   (×1 → ×3: 65 → 44, 74 → 49, 65 → 45 px; ×0: 109, 106, 135 px). So "small" ×3 shows a word made stronger.
  toy('toy-reweight', 'Reweight a word (×3 “small”)', 'Scaling a word’s attention strengthens its effect: “small” ×3 gives a smaller heart in the same place (try 0 to switch the word off: a full-size heart).', {
    prompt: 'a small pink heart', edits: ['a small pink heart'], kind: 'reweight', weights: { small: 3 }, cross: 1, self: 0.2, crossWords: {}, blendWords: [], baseline: true,
  }),
  // The notebook's sections (3.4 word swap, 3.6 the cross-injection sweep, 3.8 local edit, 3.10 several edits with
  // per-word schedules) on the emoji model's nouns; 3.1 and 3.3 show the first one's maps and its baseline.
  emoji('emoji-swap', 'Squirrel → lion / cat', 'The notebook’s word swap: the burger and the painting stay, and the lion and the cat start from the squirrel’s maps, nearer its place than without the controller (on this small model not all the way: compare the no-controller row).', {
    prompt: 'a painting of a squirrel eating a burger', edits: ['a painting of a lion eating a burger', 'a painting of a cat eating a burger'],
    kind: 'replace', cross: 0.8, self: 0.4, crossWords: {}, blendWords: [], baseline: true,
  }),
  ...[0.9, 0.5, 0.1].map((f) =>
    emoji(`emoji-schedule-${f}`, `Schedule: cross ${f}`, 'More cross-attention injection keeps more of the dog’s outline; less lets “cat” reshape it.', {
      prompt: 'a dog riding a bicycle', edits: ['a cat riding a bicycle'], kind: 'replace', cross: f, self: 0.4, crossWords: {}, blendWords: [], baseline: false,
    }),
  ),
  // Threshold 0.7, not the notebook's 0.3: the emoji model's 16×16 maps, max-pooled, put every pixel above 0.3, so
  // 0.3 gives the same bytes as no LocalBlend. Measured with `npm run generate -- --model public/models/toy-emoji`
  // (this recipe, seed 8888): mean |edit − source| over the picture 12.0 without LocalBlend and at 0.3, 10.9 at
  // 0.5, 5.8 at 0.7 (the squirrel and the frame stay, the pizza becomes lasagne), 4.1 at 0.9.
  emoji('emoji-local', 'Pizza → lasagne (local)', 'LocalBlend with a per-word window {"default_": 1, "lasagne": 0.2}: only the food changes.', {
    prompt: 'a painting of a squirrel eating a pizza', edits: ['a painting of a squirrel eating a lasagne'], kind: 'replace',
    cross: 1, crossWords: { lasagne: 0.2 }, self: 0.4, blendWords: [['pizza'], ['lasagne']], blendThreshold: 0.7, baseline: true,
  }),
  emoji('emoji-words', 'Cat → bird / mouse / rabbit (per-word schedules)', 'Three edits share the source’s attention; each new animal’s own window is shorter ({"default_": 1, "bird": 0.4, …}) so it can take its own shape.', {
    prompt: 'a cat sitting on a table', edits: ['a bird sitting on a table', 'a mouse sitting on a table', 'a rabbit sitting on a table'], kind: 'replace',
    cross: 1, crossWords: { bird: 0.4, mouse: 0.4, rabbit: 0.4 }, self: 0.4, blendWords: [], baseline: true,
  }),
  emoji('emoji-refine', 'A cat on a table … in the snow', 'Refinement: the added words change the scene, the cat and the table stay.', {
    prompt: 'a cat sitting on a table', edits: ['a cat sitting on a table in the snow'], kind: 'refine', cross: 0.8, self: 0.4, crossWords: {}, blendWords: [], baseline: true,
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

/** The recipe a preset produces on top of the current model and seed, with its family's sampling defaults. */
export function applyPreset(current: Recipe, preset: Preset): Recipe {
  return { ...DEFAULT_RECIPE, ...FAMILY_DEFAULTS[preset.family], model: current.model, seed: current.seed, weights: {}, ...preset.recipe };
}

/** The presets offered for a model (its family's). */
export function presetsFor(model: string): Preset[] {
  const family = modelFamily(model);
  return PRESETS.filter((p) => p.family === family);
}

/**
 * The preset the recipe is, as it stands: applying it again would change nothing (so the picker keeps
 * showing a chosen preset, also after a reload from its link, until a control is changed by hand).
 */
export function matchingPreset(recipe: Recipe): Preset | undefined {
  const key = encodeRecipe(recipe);
  return presetsFor(recipe.model).find((p) => encodeRecipe(applyPreset(recipe, p)) === key);
}

/** The example `step` places after (or before) the one the recipe matches, wrapping; from the start when none. */
export function steppedPreset(recipe: Recipe, step: 1 | -1): Preset | undefined {
  const presets = presetsFor(recipe.model);
  if (presets.length === 0) return undefined;
  const at = presets.findIndex((p) => p.id === matchingPreset(recipe)?.id);
  return presets[at < 0 ? (step > 0 ? 0 : presets.length - 1) : (at + step + presets.length) % presets.length];
}
