/**
 * Recipe ⇄ URL query parameters, readable (`?p=a+red+circle&e=a+red+square&cross=0.8`). Decoding
 * never throws: missing, malformed, out-of-range or unknown values fall back to defaults and are
 * listed in `ignored`, so a bad link still opens with a visible notice.
 */
import {
  DEFAULT_RECIPE,
  LIMITS,
  MAX_EDITS,
  MAX_PROMPT_CHARS,
  RECIPE_VERSION,
  SCHEDULERS,
  type EditKindChoice,
  type Recipe,
  type SchedulerId,
  type Window,
} from './recipe';

const KINDS: EditKindChoice[] = ['auto', 'replace', 'refine', 'reweight'];
/**
 * Parameters that hold one value; the repeatable ones are e (edits), cw, w (per word) and b (per prompt).
 * `n` (the negative prompt) is written only when there is one, so links without it are as before.
 */
const SINGLE = ['v', 'model', 'p', 'n', 'k', 'cross', 'self', 'bt', 'seed', 'steps', 'g', 'sched', 'base'];
const KNOWN = new Set([...SINGLE, 'e', 'cw', 'w', 'b']);

/**
 * A word key for `cw=` / `w=`: any text a prompt can hold, but not a name objects inherit (`__proto__`,
 * `constructor`, …), which as a record key would be dropped or would replace the record's prototype.
 */
function wordKeyProblem(word: string): string | undefined {
  if (word.trim() === '') return 'empty word';
  if (/\s/.test(word)) return 'a word has no spaces';
  if (word in Object.prototype || word === '__proto__') return `"${word.slice(0, 30)}" is a reserved name, not a word`;
  return undefined;
}

/** Page settings that share the query string but are not part of the recipe (see urlSync). */
export const PAGE_SETTINGS: ReadonlySet<string> = new Set(['backend', 'hub']);

/** A registry id (`toy-shapes`), a Hub repo id (`owner/name`), or an http(s) folder URL (asked before downloading). */
export function isModelId(model: string): boolean {
  if (model.length > 300) return false;
  if (/^[\w.-]+(\/[\w.-]+)?$/.test(model)) return true;
  if (!/^https?:\/\/\S+$/i.test(model)) return false;
  try {
    return ['http:', 'https:'].includes(new URL(model).protocol);
  } catch {
    return false;
  }
}

function windowText(w: Window): string {
  return typeof w === 'number' ? String(w) : `${w[0]}-${w[1]}`;
}

export function encodeRecipe(r: Recipe): string {
  const q = new URLSearchParams();
  q.set('v', String(RECIPE_VERSION));
  q.set('model', r.model);
  q.set('p', r.prompt);
  for (const e of r.edits) q.append('e', e);
  if (r.negativePrompt !== '') q.set('n', r.negativePrompt);
  q.set('k', r.kind);
  q.set('cross', windowText(r.cross));
  for (const [word, w] of Object.entries(r.crossWords)) q.append('cw', `${word}:${windowText(w)}`);
  q.set('self', windowText(r.self));
  for (const [word, v] of Object.entries(r.weights)) q.append('w', `${word}:${v}`);
  r.blendWords.forEach((words) => q.append('b', words.join(',')));
  if (r.blendWords.length) q.set('bt', String(r.blendThreshold));
  q.set('seed', String(r.seed));
  q.set('steps', String(r.steps));
  q.set('g', String(r.guidance));
  q.set('sched', r.scheduler);
  q.set('base', r.baseline ? '1' : '0');
  return q.toString();
}

export interface DecodedRecipe {
  recipe: Recipe;
  /** Human-readable notes on what was ignored or corrected. */
  ignored: string[];
}

/**
 * Reads recipe parameters on top of `defaults` (what a link leaves out keeps its value there); a query without any
 * recipe parameter (a plain page address) gives DEFAULT_RECIPE.
 */
export function decodeRecipe(query: string, defaults: Recipe = DEFAULT_RECIPE): DecodedRecipe {
  const q = new URLSearchParams(query);
  const ignored: string[] = [];
  if (![...q.keys()].some((k) => KNOWN.has(k))) return { recipe: structuredClone(DEFAULT_RECIPE), ignored };
  const recipe: Recipe = structuredClone(defaults);
  for (const key of new Set(q.keys())) if (!KNOWN.has(key) && !PAGE_SETTINGS.has(key)) ignored.push(`unknown parameter "${key.slice(0, 40)}"`);
  for (const key of SINGLE) {
    const n = q.getAll(key).length;
    if (n > 1) ignored.push(`${key} given ${n} times (the first one is used)`);
  }

  const number = (key: string, min: number, max: number, integer: boolean): number | undefined => {
    const raw = q.get(key);
    if (raw === null) return undefined;
    const v = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(v) || (integer && !Number.isInteger(v)) || v < min || v > max) {
      ignored.push(`${key}=${JSON.stringify(raw.slice(0, 40))} (expected ${integer ? 'an integer' : 'a number'} in ${min}…${max})`);
      return undefined;
    }
    return v;
  };
  const window = (raw: string, what: string): Window | undefined => {
    const parts = raw.split('-').map((s) => (s.trim() === '' ? NaN : Number(s)));
    const ok = parts.every((p) => Number.isFinite(p) && p >= 0 && p <= 1) && (parts.length === 1 || (parts.length === 2 && parts[0] <= parts[1]));
    if (!ok) {
      ignored.push(`${what}=${JSON.stringify(raw.slice(0, 40))} (expected a fraction 0…1 or a range like 0.2-0.6)`);
      return undefined;
    }
    return parts.length === 1 ? parts[0] : [parts[0], parts[1]];
  };
  const text = (raw: string, what: string): string => {
    if (raw.length > MAX_PROMPT_CHARS) ignored.push(`${what} cut to ${MAX_PROMPT_CHARS} characters`);
    return raw.slice(0, MAX_PROMPT_CHARS);
  };

  const version = q.get('v');
  if (version !== null && version !== String(RECIPE_VERSION)) ignored.push(`link version ${JSON.stringify(version)} (read as version ${RECIPE_VERSION})`);
  const model = q.get('model');
  if (model !== null) {
    if (isModelId(model)) recipe.model = model;
    else ignored.push(`model=${JSON.stringify(model.slice(0, 40))} (not a model id, repo id or http(s) folder URL)`);
  }
  const prompt = q.get('p');
  if (prompt !== null) recipe.prompt = text(prompt, 'the source prompt');

  const edits = q.getAll('e');
  if (edits.length > 0 || q.has('p')) {
    if (edits.length > MAX_EDITS) ignored.push(`${edits.length - MAX_EDITS} edited prompts beyond ${MAX_EDITS}`);
    recipe.edits = edits.slice(0, MAX_EDITS).map((e, i) => text(e, `edited prompt ${i + 1}`));
  }
  const negative = q.get('n');
  if (negative !== null) recipe.negativePrompt = text(negative, 'the negative prompt');
  const kind = q.get('k');
  if (kind !== null) {
    if (KINDS.includes(kind as EditKindChoice)) recipe.kind = kind as EditKindChoice;
    else ignored.push(`k=${JSON.stringify(kind.slice(0, 20))} (edit kind: ${KINDS.join(', ')})`);
  }

  const cross = q.get('cross');
  if (cross !== null) recipe.cross = window(cross, 'cross') ?? recipe.cross;
  const self = q.get('self');
  if (self !== null) recipe.self = window(self, 'self') ?? recipe.self;
  /** `key=word:value` entries into a record, with a notice for every entry that is dropped or overridden. */
  const perWord = <T>(key: 'cw' | 'w', expected: string, parse: (raw: string, word: string) => T | undefined, into: Record<string, T>) => {
    for (const entry of q.getAll(key)) {
      const at = entry.lastIndexOf(':');
      const word = at > 0 ? entry.slice(0, at) : '';
      const problem = at <= 0 ? undefined : wordKeyProblem(word);
      if (at <= 0 || problem) {
        ignored.push(`${key}=${JSON.stringify(entry.slice(0, 40))} (${problem ?? `expected ${expected}`})`);
        continue;
      }
      const v = parse(entry.slice(at + 1), word);
      if (v === undefined) continue;
      if (Object.hasOwn(into, word)) ignored.push(`${key} for "${word.slice(0, 30)}" given twice (the last one is used)`);
      into[word] = v;
    }
  };
  perWord('cw', 'word:fraction', (raw, word) => window(raw, `cw (${word.slice(0, 30)})`), recipe.crossWords);
  perWord(
    'w',
    `word:weight with weight ${LIMITS.weight.min}…${LIMITS.weight.max}`,
    (raw, word) => {
      const v = raw.trim() === '' ? NaN : Number(raw);
      if (Number.isFinite(v) && v >= LIMITS.weight.min && v <= LIMITS.weight.max) return v;
      ignored.push(`w=${JSON.stringify(`${word}:${raw}`.slice(0, 40))} (expected word:weight with weight ${LIMITS.weight.min}…${LIMITS.weight.max})`);
      return undefined;
    },
    recipe.weights,
  );
  const blend = q.getAll('b');
  if (blend.length > MAX_EDITS + 1) ignored.push(`${blend.length - MAX_EDITS - 1} LocalBlend word lists beyond ${MAX_EDITS + 1} prompts`);
  if (blend.length > 0) recipe.blendWords = blend.slice(0, MAX_EDITS + 1).map((b) => b.split(',').filter(Boolean));
  recipe.blendThreshold = number('bt', LIMITS.threshold.min, LIMITS.threshold.max, false) ?? recipe.blendThreshold;
  recipe.seed = number('seed', LIMITS.seed.min, LIMITS.seed.max, true) ?? recipe.seed;
  recipe.steps = number('steps', LIMITS.steps.min, LIMITS.steps.max, true) ?? recipe.steps;
  recipe.guidance = number('g', LIMITS.guidance.min, LIMITS.guidance.max, false) ?? recipe.guidance;
  const sched = q.get('sched');
  if (sched !== null) {
    if ((SCHEDULERS as readonly string[]).includes(sched)) recipe.scheduler = sched as SchedulerId;
    else ignored.push(`sched=${JSON.stringify(sched.slice(0, 20))} (one of ${SCHEDULERS.join(', ')})`);
  }
  const base = q.get('base');
  if (base === '1' || base === '0') recipe.baseline = base === '1';
  else if (base !== null) ignored.push(`base=${JSON.stringify(base.slice(0, 20))} (1 or 0)`);
  return { recipe, ignored };
}
