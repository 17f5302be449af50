/**
 * The shareable recipe: everything needed to reproduce a Prompt-to-Prompt result (model, prompts, negative
 * prompt, edit kinds, injection windows, LocalBlend, reweighting, seed, sampler). Only this goes in the URL.
 */

export const RECIPE_VERSION = 1;
export const MAX_EDITS = 6;
export const MAX_PROMPT_CHARS = 500;
export const SCHEDULERS = ['pndm', 'ddim', 'euler', 'dpmpp-2m'] as const;
export type SchedulerId = (typeof SCHEDULERS)[number];
export type EditKindChoice = 'auto' | 'replace' | 'refine' | 'reweight';
/** A fraction f (the window [0, f]) or a [start, end] window of the run, in [0, 1]. */
export type Window = number | [number, number];

export interface Recipe {
  model: string;
  prompt: string;
  /** Edited prompts; all share one controller, as in the reference (one controller per batch). */
  edits: string[];
  /**
   * What classifier-free guidance steers away from, for every prompt of the run (the unconditional branch
   * encodes it instead of ""); "" = none. Never edited by the controller.
   */
  negativePrompt: string;
  kind: EditKindChoice;
  cross: Window;
  /** Per-word cross-attention windows (the reference's `{"default_": …, "lion": .4}`). */
  crossWords: Record<string, Window>;
  self: Window;
  /** Reweight factors per word (negative to 10, as the reference equalizer). */
  weights: Record<string, number>;
  /** LocalBlend words per prompt (source first); empty lists = no LocalBlend. */
  blendWords: string[][];
  blendThreshold: number;
  seed: number;
  steps: number;
  guidance: number;
  scheduler: SchedulerId;
  /** Also run the same seed without the controller, to show what Prompt-to-Prompt preserves. */
  baseline: boolean;
}

/** The embedded emoji model's starting example: the reference notebook's first word swap (sections 3.1–3.4). */
const EMOJI_START = { prompt: 'a painting of a squirrel eating a burger', edits: ['a painting of a lion eating a burger'] };
/**
 * The embedded toy-shapes model's: its hearts appear where its stars were (97% of seeds at 0.4 / 0.2), while
 * "a red circle" -> "a red square" keeps a round object in about half (tools/toy-model/REPORT.md §5).
 */
const TOY_START = { prompt: 'a yellow star', edits: ['a yellow heart'] };

export const DEFAULT_RECIPE: Recipe = {
  model: 'toy-emoji',
  ...EMOJI_START,
  negativePrompt: '',
  kind: 'auto',
  cross: 0.8,
  crossWords: {},
  self: 0.4,
  weights: {},
  blendWords: [],
  blendThreshold: 0.3,
  seed: 8888,
  steps: 20,
  guidance: 3,
  scheduler: 'pndm',
  baseline: true,
};

/**
 * What a version 1 link (readable parameters) leaves out reads as it did while those links were written: the
 * toy-shapes model and its starting example were the defaults then (hand-written links such as
 * `?p=a+red+circle&e=a+red+square` rely on it). Version 2 links hold every field.
 */
export const LINK_V1_DEFAULTS: Recipe = { ...DEFAULT_RECIPE, model: 'toy-shapes', ...TOY_START, cross: 0.4, self: 0.2, guidance: 7.5 };

/**
 * Sampling defaults per model family: each embedded model's own (its p2p.json `defaults`) and the
 * reference notebook's for Stable Diffusion (50 steps, guidance 7.5, cross 0.8, self 0.4).
 */
export const FAMILY_DEFAULTS = {
  // cross 0.4 / self 0.2: on the toy model longer injections keep the source's outline (REPORT.md §5).
  toy: { steps: 20, guidance: 7.5, cross: 0.4, self: 0.2 },
  // Guidance 3: the emoji model (step 10 046) drew 83 % of its objects recognisably there and 30 % at 5, where its
  // pictures broke into blobs (tools/toy-model/REPORT-emoji.md §3); injection windows as the notebook's.
  emoji: { steps: 20, guidance: 3, cross: 0.8, self: 0.4 },
  sd: { steps: 50, guidance: 7.5, cross: 0.8, self: 0.4 },
} as const satisfies Record<string, Pick<Recipe, 'steps' | 'guidance' | 'cross' | 'self'>>;

export type ModelFamily = keyof typeof FAMILY_DEFAULTS;

/** The embedded models' families; every other model (registry, repo id, URL) is taken for Stable Diffusion. */
const EMBEDDED_FAMILIES: Readonly<Record<string, ModelFamily>> = { 'toy-shapes': 'toy', 'toy-emoji': 'emoji' };

export function modelFamily(model: string): ModelFamily {
  // Own keys only: a model id such as "toString" or "__proto__" is any other model, not an Object built-in.
  return Object.hasOwn(EMBEDDED_FAMILIES, model) ? EMBEDDED_FAMILIES[model]! : 'sd';
}

/**
 * The prompts a family starts from: switching models from one family's starting prompts to another family's
 * brings that family's (the toy model's words mean nothing to the emoji model, and the other way round).
 */
export const FAMILY_STARTS: Readonly<Partial<Record<ModelFamily, Pick<Recipe, 'prompt' | 'edits'>>>> = {
  toy: TOY_START,
  emoji: EMOJI_START,
};

/** Ranges the URL codec and the controls share. */
export const LIMITS = {
  seed: { min: 0, max: 2 ** 32 - 1 },
  steps: { min: 1, max: 150 },
  guidance: { min: 0, max: 30 },
  weight: { min: -10, max: 10 },
  threshold: { min: 0, max: 1 },
} as const;

/** Words of a prompt, split on whitespace (a swap needs the same count in every prompt). */
export const wordCount = (s: string) => s.trim().split(/\s+/).filter(Boolean).length;

/** The controller used: 'auto' = swap (replace) when every edit has the source's word count, else refine. */
export function resolveKind(recipe: Pick<Recipe, 'prompt' | 'edits' | 'kind'>): 'replace' | 'refine' | 'reweight' {
  if (recipe.kind !== 'auto') return recipe.kind;
  return recipe.edits.every((e) => wordCount(e) === wordCount(recipe.prompt)) ? 'replace' : 'refine';
}

/** What a reweight builds on: nothing for identical prompts, a swap for equal word counts, else a refinement. */
export function reweightBase(recipe: Pick<Recipe, 'prompt' | 'edits'>): 'replace' | 'refine' | undefined {
  if (recipe.edits.every((e) => e.trim() === recipe.prompt.trim())) return undefined;
  return recipe.edits.every((e) => wordCount(e) === wordCount(recipe.prompt)) ? 'replace' : 'refine';
}
