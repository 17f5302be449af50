// Command-line options of `scripts/generate.ts` turned into a GenerateRequest: prompts, the negative prompt, the P2P
// edit (replace/refine/reweight, cross/self windows, LocalBlend words) and sampling settings. Every value is checked
// here, before any model is loaded, against the same limits as the studio and its share links
// (src/state/recipe.ts), so a run the CLI accepts is one a link can carry. Negative numbers parse as values.

import { parseArgs } from 'node:util';
import { SCHEDULER_NAMES, type EditOptions, type GenerateRequest, type SchedulerName } from '../diffusion';
import { MAX_EDITS, MAX_PROMPT_CHARS, wordCount } from '../state/recipe';
import { NUMBER_RULES, parseNumber, rangeText, type NumberRule } from '../state/validate';

export const USAGE = `usage: npx tsx scripts/generate.ts --model DIR --prompt "…" [--edit "…"]… [--negative "…"] --out DIR
  --negative "blurry, text"         negative prompt: guidance steers every image away from it (the
                                    unconditional branch encodes it instead of ""; not edited by P2P)
  --kind replace|refine|reweight   edit kind (default replace)
  --cross 0.8 | --cross-word dog=0.4   cross-attention injection window (default 0.8; per word repeatable)
  --self 0.4                        self-attention replace window (default 0.4)
  --weight word=2                   reweight factors (repeatable; needed for --kind reweight)
  --reweight-base replace|refine    reweight on top of a swap or a refinement
  --blend "circle,square"           LocalBlend words, one entry per prompt (words of an entry space-separated)
  --threshold 0.3                   LocalBlend threshold
  --seed 8888 --steps 50 --guidance 7.5 --scheduler pndm|ddim|euler|dpmpp-2m (default: the model's own)
  --image photo.png                 edit this picture instead of generating the source: it is centre-cropped and
                                    resized to the model's size, encoded (vae_encoder/), DDIM-inverted with the
                                    source prompt (which should say what it shows), then edited with DDIM
  --invert-steps 50                 DDIM steps of the inversion and of the edit (default: --steps)
  --inversion negative-prompt|ddim  negative-prompt (default): the source prompt is the negative prompt while
                                    editing, so the source reconstructs (Miyake et al. 2023); ddim: plain
  --baseline                        also run the no-controller baseline (same seed)
  --low-memory                      run uncond and cond as separate UNet calls
  --threads N                       onnxruntime threads per session
Ranges are the studio's: seed 0…2^32−1, steps 1…150, guidance 0…30, cross/self/threshold 0…1, weights −10…10,
prompts and the negative prompt up to ${MAX_PROMPT_CHARS} characters, at most ${MAX_EDITS} edits; all are checked before the
model loads.`;

/** A picture to edit: DDIM inversion with the source prompt, then the edit from the inverted latent. */
export interface ImageInput {
  path: string;
  /** Steps of the inversion, and of the edit (`request.steps` equals it). */
  steps: number;
  /** 'negative-prompt': the source prompt is the edit's negative prompt; 'ddim': plain DDIM inversion. */
  method: 'negative-prompt' | 'ddim';
}

export interface GenerateCli {
  modelDir: string;
  outDir: string;
  request: GenerateRequest;
  baseline: boolean;
  threads?: number;
  image?: ImageInput;
}

/** The studio's rules for each numeric control (src/state/validate.ts), under the CLI's option names. */
const RANGES = {
  seed: NUMBER_RULES.seed,
  steps: NUMBER_RULES.steps,
  guidance: NUMBER_RULES.guidance,
  cross: NUMBER_RULES.window,
  self: NUMBER_RULES.window,
  weight: NUMBER_RULES.weight,
  threshold: NUMBER_RULES.threshold,
  threads: { min: 1, max: 64, integer: true },
} satisfies Record<string, NumberRule>;

function number(value: string | undefined, name: keyof typeof RANGES, fallback: number, label = `--${name}`): number {
  if (value === undefined) return fallback;
  const parsed = parseNumber(value, RANGES[name]);
  if (!parsed.ok) throw new Error(`${label} must be ${rangeText(RANGES[name])}, got "${value}"`);
  return parsed.value;
}

function pairs(values: string[] | undefined, option: string, range: keyof typeof RANGES): [string, number][] {
  return (values ?? []).map((v) => {
    const at = v.lastIndexOf('=');
    if (at <= 0) throw new Error(`--${option} takes word=value, got "${v}"`);
    const word = v.slice(0, at);
    if (/\s/.test(word)) throw new Error(`--${option}: "${word}" is not one word (words are split on spaces)`);
    return [word, number(v.slice(at + 1), range, 0, `--${option} ${word}`)];
  });
}

/** Options that take a value; a value that looks like a negative number must not be read as an option. */
const VALUE_OPTIONS = ['model', 'prompt', 'edit', 'negative', 'kind', 'cross', 'cross-word', 'self', 'weight', 'reweight-base', 'blend', 'threshold', 'seed', 'steps', 'guidance', 'scheduler', 'threads', 'out'];

/** `--steps -5` → `--steps=-5`, so that node's parser takes -5 as the value (and the range check reports it). */
export function joinNegativeValues(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i].startsWith('--') ? argv[i].slice(2) : undefined;
    const next = argv[i + 1];
    if (name && VALUE_OPTIONS.includes(name) && next !== undefined && /^-(\d|\.\d|Infinity)/.test(next)) {
      out.push(`--${name}=${next}`);
      i++;
    } else out.push(argv[i]);
  }
  return out;
}

export function parseGenerateArgs(argv: string[]): GenerateCli {
  const { values } = parseArgs({
    args: joinNegativeValues(argv),
    strict: true,
    options: {
      model: { type: 'string' },
      prompt: { type: 'string' },
      edit: { type: 'string', multiple: true },
      negative: { type: 'string' },
      kind: { type: 'string' },
      cross: { type: 'string' },
      'cross-word': { type: 'string', multiple: true },
      self: { type: 'string' },
      weight: { type: 'string', multiple: true },
      'reweight-base': { type: 'string' },
      blend: { type: 'string' },
      threshold: { type: 'string' },
      seed: { type: 'string' },
      steps: { type: 'string' },
      guidance: { type: 'string' },
      scheduler: { type: 'string' },
      baseline: { type: 'boolean' },
      'low-memory': { type: 'boolean' },
      image: { type: 'string' },
      'invert-steps': { type: 'string' },
      inversion: { type: 'string' },
      threads: { type: 'string' },
      out: { type: 'string' },
    },
  });
  if (!values.model) throw new Error('--model is required');
  if (!values.prompt?.trim()) throw new Error('--prompt is required (and not empty)');
  // Without --scheduler, the model's own (its scheduler_config's _class_name) runs.
  const scheduler = values.scheduler as SchedulerName | undefined;
  if (scheduler !== undefined && !SCHEDULER_NAMES.includes(scheduler)) throw new Error(`--scheduler must be one of ${SCHEDULER_NAMES.join(', ')}`);
  const prompts = [values.prompt, ...(values.edit ?? [])];
  if (prompts.length - 1 > MAX_EDITS) throw new Error(`at most ${MAX_EDITS} --edit prompts, got ${prompts.length - 1}`);
  prompts.forEach((p, i) => {
    const what = i === 0 ? '--prompt' : `--edit ${i}`;
    if (!p.trim()) throw new Error(`${what} is empty`);
    if (p.length > MAX_PROMPT_CHARS) throw new Error(`${what} has ${p.length} characters; the limit is ${MAX_PROMPT_CHARS} (the studio and share links use the same limit)`);
  });
  const negative = values.negative ?? '';
  if (negative.length > MAX_PROMPT_CHARS) throw new Error(`--negative has ${negative.length} characters; the limit is ${MAX_PROMPT_CHARS} (the studio and share links use the same limit)`);
  const request: GenerateRequest = {
    prompts,
    // As the studio's request (src/state/toRequest.ts): only when there is one.
    ...(negative !== '' ? { negativePrompt: negative } : {}),
    seed: number(values.seed, 'seed', 8888),
    steps: number(values.steps, 'steps', 50),
    guidance: number(values.guidance, 'guidance', 7.5),
    ...(scheduler !== undefined ? { scheduler } : {}),
    lowMemory: values['low-memory'] ?? false,
  };
  if (prompts.length > 1) request.edit = editOptions(values, prompts);
  else {
    // Options that only shape an edit would be ignored without one: refuse them rather than drop them silently.
    const given = EDIT_ONLY.filter((o) => values[o] !== undefined).map((o) => `--${o}`);
    if (given.length > 0) throw new Error(`${given.join(', ')} shape${given.length === 1 ? 's' : ''} an edit and need${given.length === 1 ? 's' : ''} at least one --edit prompt`);
  }
  const image = imageInput(values, request);
  return {
    modelDir: values.model,
    outDir: values.out ?? 'out',
    request,
    baseline: values.baseline ?? false,
    threads: values.threads !== undefined ? number(values.threads, 'threads', 1) : undefined,
    ...(image ? { image } : {}),
  };
}

interface ImageArgs {
  image?: string;
  'invert-steps'?: string;
  inversion?: string;
  scheduler?: string;
  steps?: string;
  negative?: string;
}

/** `--image` and its options; sets the request's scheduler (DDIM), steps and negative prompt to match. */
function imageInput(values: ImageArgs, request: GenerateRequest): ImageInput | undefined {
  if (values.image === undefined) {
    const given = (['invert-steps', 'inversion'] as const).filter((o) => values[o] !== undefined).map((o) => `--${o}`);
    if (given.length > 0) throw new Error(`${given.join(' and ')} need${given.length === 1 ? 's' : ''} --image`);
    return undefined;
  }
  if (!values.image.trim()) throw new Error('--image is empty');
  if (values.scheduler !== undefined && values.scheduler !== 'ddim') throw new Error(`--image edits with the DDIM scheduler (what the inversion inverts); --scheduler ${values.scheduler} cannot be used with it`);
  const steps = number(values['invert-steps'], 'steps', request.steps, '--invert-steps');
  if (values.steps !== undefined && values['invert-steps'] !== undefined && steps !== request.steps) {
    throw new Error(`--steps ${request.steps} and --invert-steps ${steps} differ: the edit must take the inversion's steps (give one of them)`);
  }
  const method = values.inversion ?? 'negative-prompt';
  if (method !== 'negative-prompt' && method !== 'ddim') throw new Error(`--inversion must be negative-prompt or ddim, got "${method}"`);
  if (method === 'negative-prompt' && values.negative !== undefined) {
    throw new Error('--inversion negative-prompt uses the source prompt as the negative prompt; drop --negative or use --inversion ddim');
  }
  request.scheduler = 'ddim';
  request.steps = steps;
  if (method === 'negative-prompt') request.negativePrompt = request.prompts[0];
  return { path: values.image, steps, method };
}

const EDIT_ONLY = ['kind', 'cross', 'cross-word', 'self', 'weight', 'reweight-base', 'blend', 'threshold'] as const;

interface EditArgs {
  kind?: string;
  cross?: string;
  'cross-word'?: string[];
  self?: string;
  weight?: string[];
  'reweight-base'?: string;
  blend?: string;
  threshold?: string;
}

function editOptions(values: EditArgs, prompts: string[]): EditOptions {
  const kind = values.kind ?? 'replace';
  if (kind !== 'replace' && kind !== 'refine' && kind !== 'reweight') throw new Error(`--kind must be replace, refine or reweight, got "${kind}"`);
  if (kind === 'replace' || values['reweight-base'] === 'replace') {
    const n = wordCount(prompts[0]);
    prompts.forEach((p, i) => {
      if (i > 0 && wordCount(p) !== n) {
        throw new Error(`a word swap (replace) needs the same number of words in every prompt: the source has ${n}, --edit ${i} has ${wordCount(p)}; use --kind refine to add or remove words`);
      }
    });
  }
  const cross = number(values.cross, 'cross', 0.8);
  const words = pairs(values['cross-word'], 'cross-word', 'cross');
  const edit: EditOptions = {
    kind,
    crossReplaceSteps: words.length > 0 ? { default_: cross, ...Object.fromEntries(words) } : cross,
    selfReplaceSteps: number(values.self, 'self', 0.4),
  };
  const weights = pairs(values.weight, 'weight', 'weight');
  if (weights.length > 0) edit.equalizer = { words: weights.map((w) => w[0]), values: weights.map((w) => w[1]) };
  const base = values['reweight-base'];
  if (base !== undefined) {
    if (base !== 'replace' && base !== 'refine') throw new Error('--reweight-base must be replace or refine');
    if (kind !== 'reweight') throw new Error(`--reweight-base applies to --kind reweight only (this edit is ${kind})`);
    edit.reweightBase = base;
  }
  if (values.threshold !== undefined && values.blend === undefined) throw new Error('--threshold is LocalBlend\'s threshold and needs --blend');
  if (values.blend !== undefined) {
    const entries = values.blend.split(',').map((e) => e.trim().split(/\s+/).filter(Boolean));
    if (entries.length !== prompts.length) throw new Error(`--blend needs one entry per prompt (${prompts.length}), got ${entries.length}`);
    edit.localBlend = { words: entries, threshold: number(values.threshold, 'threshold', 0.3) };
  }
  return edit;
}
