/**
 * The studio's zustand store: the shareable recipe (synced to the URL), run status and engine info.
 * Big buffers (images, attention maps) live outside the store, in `results.ts`, keyed by run id.
 */
import { create } from 'zustand';
import type { BackendChoice } from '../models/backendChoice';
import type { CachedModel } from '../models/cache';
import type { OverallProgress } from '../models/progress';
import { DEFAULT_RECIPE, FAMILY_DEFAULTS, FAMILY_STARTS, MAX_EDITS, modelFamily, type Recipe } from './recipe';
import { encodeRecipe } from './urlCodec';
import type { FieldIssue } from './validate';

export type RunStatus = 'idle' | 'loading' | 'running' | 'done' | 'cancelled' | 'error';

export interface RunError {
  code: string;
  message: string;
  /** The control the error concerns (e.g. 'edit-1', 'cross', 'blend'), so it shows next to it. */
  field?: string;
}

export interface RunState {
  id: number;
  status: RunStatus;
  call: number;
  total: number;
  elapsedMs: number;
  /** The run is still inverting the user's picture (its progress counts the inversion's UNet calls). */
  inverting?: boolean;
  /** The shown results started from the user's picture (prompt 0 is its reconstruction). */
  fromPicture?: boolean;
  error?: RunError;
  /** The recipe (encoded) the shown results were made with. */
  recipeKey?: string;
}

export type ProviderChoice = 'auto' | 'webgpu' | 'wasm';

export interface EngineInfo {
  /** Where the user wants the engine to run ('auto': see src/models/backendChoice.ts). */
  preference: ProviderChoice;
  backend?: 'webgpu' | 'wasm';
  fallbackReason?: string;
  /** Which backend the loaded model runs on and why (the engine's `ready.choice`). */
  choice?: BackendChoice;
  loadedModel?: string;
  loading?: { file: string; loaded: number; total: number };
  /** The loaded model runs its stock UNet (the user chose it: it could not be instrumented, `reason`): no edits. */
  stockUnet?: { model: string; reason: string };
}

/** A model download (on its own, or the first part of a load) and how it ended. */
export interface DownloadState {
  model: string;
  status: 'running' | 'done' | 'cancelled' | 'error';
  progress?: OverallProgress;
  error?: RunError;
}

/** Hub models: where the Hub is, what is cached, the current download, a share link waiting for consent. */
export interface ModelsState {
  /** The Hub endpoint (`?hub=`; tests point it at the mock Hub); undefined = huggingface.co. */
  hubEndpoint?: string;
  /** A share link's Hub model that is not cached: the user must agree before it downloads. */
  confirm?: string;
  /** Cached models (complete or interrupted), from Cache Storage. */
  cached: CachedModel[];
  /** The cache has been listed at least once (until then nothing is known to be cached). */
  cacheListed?: boolean;
  download?: DownloadState;
}

/** What the attention overlay shows: some columns (a word's tokens, or one token) of one prompt's maps. */
export interface HeatTarget {
  prompt: number;
  columns: number[];
  /** The word or token, for labels. */
  label: string;
}

/** A picture of the user's to edit: its RGBA (at most 1024 px a side), kept in the page only (links cannot carry it). */
export interface Picture {
  /** Changes with every new picture (part of the run key: another picture makes the results stale). */
  id: number;
  name: string;
  width: number;
  height: number;
  rgba: Uint8ClampedArray;
}

export type InversionChoice = 'negative-prompt' | 'ddim';

export interface StudioState {
  recipe: Recipe;
  /** Edit this picture instead of generating the source. */
  picture?: Picture;
  inversion: InversionChoice;
  notices: string[];
  run: RunState;
  engine: EngineInfo;
  models: ModelsState;
  /** The image compared with the source on the stage: an edit (main phase, prompt ≥ 1) or a no-controller image. */
  compared: { phase: 'main' | 'baseline'; prompt: number };
  /** The word or token under the pointer (or focused), overlaid on its prompt's image. */
  hoverToken?: HeatTarget;
  /** A word or token tapped or clicked: stays overlaid until tapped again (touch screens have no hover). */
  pinnedToken?: HeatTarget;
  /** Opacity of the attention overlay on the images (0 … 1). */
  overlayOpacity: number;
  /** Controls holding a typed value the recipe does not accept (kept as typed; Generate waits), by field. */
  invalid: Record<string, FieldIssue>;
  setRecipe(patch: Partial<Recipe>): void;
  setPicture(picture: Picture | undefined): void;
  setInversion(inversion: InversionChoice): void;
  /**
   * Switches the model; moving to another family (toy shapes, emoji, Stable Diffusion) applies its defaults, and
   * its starting prompts when the prompts are still the previous family's starting ones.
   */
  setModel(model: string): void;
  setEdit(index: number, prompt: string): void;
  addEdit(): void;
  removeEdit(index: number): void;
  setNotices(notices: string[]): void;
  setRun(patch: Partial<RunState>): void;
  setEngine(patch: Partial<EngineInfo>): void;
  setModels(patch: Partial<ModelsState>): void;
  compare(target: { phase: 'main' | 'baseline'; prompt: number }): void;
  setHoverToken(hover: HeatTarget | undefined): void;
  /** Pins `target` (or unpins it when it is the pinned one). */
  togglePinnedToken(target: HeatTarget): void;
  setOverlayOpacity(opacity: number): void;
  /** Marks a control's typed value invalid (with the issue) or valid again (undefined). */
  setInvalid(field: string, issue: FieldIssue | undefined): void;
}

export const useStudio = create<StudioState>()((set) => ({
  recipe: DEFAULT_RECIPE,
  notices: [],
  run: { id: 0, status: 'idle', call: 0, total: 0, elapsedMs: 0 },
  engine: { preference: 'auto' },
  models: { cached: [] },
  compared: { phase: 'main', prompt: 1 },
  overlayOpacity: 0.75,
  invalid: {},
  inversion: 'negative-prompt',
  setRecipe: (patch) => set((s) => ({ recipe: { ...s.recipe, ...patch } })),
  setPicture: (picture) => set({ picture }),
  setInversion: (inversion) => set({ inversion }),
  setModel: (model) =>
    set((s) => {
      const family = modelFamily(model);
      const from = modelFamily(s.recipe.model);
      if (family === from) return { recipe: { ...s.recipe, model } };
      const start = FAMILY_STARTS[from];
      const untouched = start !== undefined && s.recipe.prompt === start.prompt && JSON.stringify(s.recipe.edits) === JSON.stringify(start.edits);
      const prompts = untouched ? FAMILY_STARTS[family] : undefined;
      return { recipe: { ...s.recipe, ...FAMILY_DEFAULTS[family], ...(prompts && { ...prompts, crossWords: {}, weights: {}, blendWords: [] }), model } };
    }),
  setEdit: (index, prompt) => set((s) => ({ recipe: { ...s.recipe, edits: s.recipe.edits.map((e, i) => (i === index ? prompt : e)) } })),
  addEdit: () =>
    set((s) =>
      s.recipe.edits.length >= MAX_EDITS
        ? s
        : { recipe: { ...s.recipe, edits: [...s.recipe.edits, s.recipe.edits.at(-1) ?? s.recipe.prompt] } },
    ),
  removeEdit: (index) =>
    set((s) => ({
      recipe: { ...s.recipe, edits: s.recipe.edits.filter((_, i) => i !== index) },
      compared: s.compared.prompt > s.recipe.edits.length - 1 ? { phase: 'main', prompt: Math.max(1, s.recipe.edits.length - 1) } : s.compared,
    })),
  setNotices: (notices) => set({ notices }),
  setRun: (patch) => set((s) => ({ run: { ...s.run, ...patch } })),
  setEngine: (patch) => set((s) => ({ engine: { ...s.engine, ...patch } })),
  setModels: (patch) => set((s) => ({ models: { ...s.models, ...patch } })),
  compare: (compared) => set({ compared }),
  setHoverToken: (hoverToken) => set({ hoverToken }),
  togglePinnedToken: (target) =>
    set((s) =>
      s.pinnedToken && sameTarget(s.pinnedToken, target)
        ? // Unpinning also drops the hover a tap emulates on touch screens, so the overlay goes away.
          { pinnedToken: undefined, hoverToken: undefined }
        : { pinnedToken: target },
    ),
  setOverlayOpacity: (overlayOpacity) => set({ overlayOpacity }),
  setInvalid: (field, issue) =>
    set((s) => {
      if (issue === undefined && !(field in s.invalid)) return s;
      const invalid = { ...s.invalid };
      if (issue) invalid[field] = issue;
      else delete invalid[field];
      return { invalid };
    }),
}));

export function sameTarget(a: HeatTarget, b: HeatTarget): boolean {
  return a.prompt === b.prompt && a.columns.join() === b.columns.join();
}

/** The overlay shown: what is under the pointer, else what is pinned. */
export const selectHeatTarget = (s: StudioState): HeatTarget | undefined => s.hoverToken ?? s.pinnedToken;

/** What a run was made from: the recipe, and the picture and inversion when there is a picture. */
export const runKey = (s: Pick<StudioState, 'recipe' | 'picture' | 'inversion'>): string =>
  encodeRecipe(s.recipe) + (s.picture ? `|picture ${s.picture.id} ${s.inversion}` : '');

/** Results are stale when the recipe (or the picture) differs from the one the run was made with. */
export const selectStale = (s: StudioState): boolean => s.run.recipeKey !== undefined && s.run.recipeKey !== runKey(s);
export const selectPrompts = (s: StudioState): string[] => [s.recipe.prompt, ...s.recipe.edits];
