/**
 * Classroom mode's lessons: the Prompt-to-Prompt notebook's sections as presenter steps (3.1 attention per token,
 * 3.3 the no-controller baseline, 3.4 word swap, 3.6 the cross-injection sweep, 3.8 local edit, 3.10 your own
 * edits), each with the runs its figure needs and how the figure is laid out. Built for the current model's
 * family from the examples (src/state/presets.ts), on the current model (and seed, unless the example has its
 * own); 3.10 is the studio's recipe as it stands. Pure: the app runs the recipes and draws the figures.
 */
import { applyPreset, PRESETS, type Preset } from '../state/presets';
import { modelFamily, type Recipe } from '../state/recipe';

export type LessonId = '3.1' | '3.3' | '3.4' | '3.6' | '3.8' | '3.10';

/** One image of a figure: which run, which phase and prompt, and its caption. */
export interface FigureCell {
  run: number;
  phase: 'main' | 'baseline';
  prompt: number;
  label: string;
}

export interface FigureRow {
  title: string;
  cells: FigureCell[];
}

export interface Lesson {
  id: LessonId;
  title: string;
  /** What the step shows, for the class (one or two sentences). */
  explain: string;
  /** What to point at in the figure. */
  look: string;
  runs: Recipe[];
  rows: FigureRow[];
  /** Per-token attention maps to show under the images (run and prompt). */
  maps?: { run: number; prompt: number };
}

function preset(id: string): Preset {
  const found = PRESETS.find((p) => p.id === id);
  if (!found) throw new Error(`no example ${id}`); // a renamed preset: caught by the unit test
  return found;
}

/** The examples each family's lessons use. */
const SOURCES = {
  toy: { sweep: 'toy-schedule-', local: 'toy-local' },
  emoji: { sweep: 'emoji-schedule-', local: 'emoji-local' },
  sd: { sweep: 'sd-schedule-', local: 'sd-local' },
} as const;

/** The toy-shapes model's clearest swap, its starting example (star → heart at cross 0.4 / self 0.2). */
const TOY_SWAP: Partial<Recipe> = { prompt: 'a yellow star', edits: ['a yellow heart'], kind: 'auto', cross: 0.4, self: 0.2, crossWords: {}, blendWords: [] };

const who = (prompt: number, prompts: string[]) => (prompt === 0 ? `source: ${prompts[0]}` : `edit: ${prompts[prompt]}`);

function row(title: string, run: number, recipe: Recipe, phase: 'main' | 'baseline' = 'main'): FigureRow {
  const prompts = [recipe.prompt, ...recipe.edits];
  return { title, cells: prompts.map((_, i) => ({ run, phase, prompt: i, label: who(i, prompts) })) };
}

export const SWEEP = [0.9, 0.5, 0.1] as const;

export function lessonsFor(current: Recipe): Lesson[] {
  const family = modelFamily(current.model);
  const names = SOURCES[family];
  const on = (recipe: Partial<Recipe>): Recipe => applyPreset(current, { id: 'lesson', title: '', teaches: '', family, recipe });
  const swap = family === 'toy' ? on({ ...TOY_SWAP, baseline: false }) : { ...applyPreset(current, preset(`${family}-swap`)), baseline: false };
  const withBaseline = { ...swap, baseline: true };
  const sweep = SWEEP.map((f) => ({ ...applyPreset(current, preset(`${names.sweep}${f}`)), baseline: false }));
  const local = { ...applyPreset(current, preset(names.local)), baseline: false };
  const unblended = { ...local, blendWords: [] };
  const own = { ...current };
  const word = (r: Recipe) => r.edits[0] ?? r.prompt;
  return [
    {
      id: '3.1', title: 'Cross-attention per token',
      explain: 'Each word of the prompt gets a map of where the image attends to it, averaged over the steps and the UNet’s cross-attention layers.',
      look: 'The object’s word lights up where the object is; “a” and the start token spread over the background.',
      runs: [swap], rows: [{ title: 'The image', cells: [{ run: 0, phase: 'main', prompt: 0, label: `source: ${swap.prompt}` }] }], maps: { run: 0, prompt: 0 },
    },
    {
      id: '3.3', title: 'Without a controller',
      explain: 'The same seed with the edited prompt but no attention injection: a new word gives a new layout.',
      look:
        family === 'emoji'
          ? 'Compare the rows. In this small model’s world every animal has its own place: the lion alone stands further left and bigger than the squirrel; with the controller it starts from the squirrel’s maps. One object shows it best: “a cat” → “a dog” keeps the dog where the cat was, while the dog alone stands on the right.'
          : 'Compare the rows: without the controller the composition moves; with Prompt-to-Prompt it stays.',
      runs: [withBaseline], rows: [row('Prompt-to-Prompt', 0, withBaseline), row('No controller (same seed)', 0, withBaseline, 'baseline')],
    },
    {
      id: '3.4', title: 'Word swap',
      explain: `The source’s cross-attention maps are injected while the edited prompt generates (cross ${swap.cross}, self ${swap.self}).`,
      look: `“${word(swap)}” takes the place of the word it replaces; the rest of the picture stays.`,
      runs: [swap], rows: [row('Word swap', 0, swap)], maps: { run: 0, prompt: 1 },
    },
    {
      id: '3.6', title: 'How long to inject: a sweep',
      explain: `Cross-attention injected for ${SWEEP.map((f) => `${f * 100} %`).join(', ')} of the steps.`,
      look: 'More injection keeps more of the source’s shape; less lets the new word reshape the object.',
      runs: sweep,
      rows: [
        {
          title: 'Cross-attention replace steps',
          cells: [{ run: 0, phase: 'main', prompt: 0, label: `source: ${sweep[0]!.prompt}` }, ...sweep.map((r, i) => ({ run: i, phase: 'main' as const, prompt: 1, label: `cross ${SWEEP[i]}: ${r.edits[0]}` }))],
        },
      ],
    },
    {
      id: '3.8', title: 'Local edit (LocalBlend)',
      explain: `LocalBlend keeps the source’s pixels outside where the words ${local.blendWords.map((w) => `“${w.join(' ')}”`).join(' and ')} attend (threshold ${local.blendThreshold}).`,
      look:
        family === 'toy'
          ? 'On this small model the two match: its 8×8 maps, max-pooled, put nearly every pixel above the threshold, and Prompt-to-Prompt alone already keeps the background (a threshold of 0.8 or more starts to cut into the object).'
          : 'Without LocalBlend the background may drift; with it only the object changes.',
      runs: [unblended, local],
      rows: [
        {
          title: 'Prompt-to-Prompt with and without LocalBlend',
          cells: [
            { run: 1, phase: 'main', prompt: 0, label: `source: ${local.prompt}` },
            { run: 0, phase: 'main', prompt: 1, label: `without LocalBlend: ${local.edits[0]}` },
            { run: 1, phase: 'main', prompt: 1, label: `with LocalBlend: ${local.edits[0]}` },
          ],
        },
      ],
    },
    {
      id: '3.10', title: 'Your own edits',
      explain: 'The studio’s current recipe: your prompts, schedules and per-word windows.',
      look: own.edits.length > 1 ? 'Several edits share the source’s attention: each keeps its layout.' : 'Change the prompts in the studio (Escape) and come back to show them here.',
      runs: [own], rows: own.baseline ? [row('Prompt-to-Prompt', 0, own), row('No controller (same seed)', 0, own, 'baseline')] : [row('Prompt-to-Prompt', 0, own)],
    },
  ];
}
