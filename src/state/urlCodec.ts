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
const KNOWN = new Set(['v', 'model', 'p', 'e', 'k', 'cross', 'cw', 'self', 'w', 'b', 'bt', 'seed', 'steps', 'g', 'sched', 'base']);
/** Page settings that share the query string but are not part of the recipe (see urlSync). */
const PAGE_SETTINGS = new Set(['backend', 'hub']);

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

export function decodeRecipe(query: string): DecodedRecipe {
  const q = new URLSearchParams(query);
  const ignored: string[] = [];
  const recipe: Recipe = structuredClone(DEFAULT_RECIPE);
  if (![...q.keys()].some((k) => KNOWN.has(k))) return { recipe, ignored };
  for (const key of new Set(q.keys())) if (!KNOWN.has(key) && !PAGE_SETTINGS.has(key)) ignored.push(`unknown parameter "${key}"`);

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
  const kind = q.get('k');
  if (kind !== null) {
    if (KINDS.includes(kind as EditKindChoice)) recipe.kind = kind as EditKindChoice;
    else ignored.push(`k=${JSON.stringify(kind.slice(0, 20))} (edit kind: ${KINDS.join(', ')})`);
  }

  const cross = q.get('cross');
  if (cross !== null) recipe.cross = window(cross, 'cross') ?? recipe.cross;
  const self = q.get('self');
  if (self !== null) recipe.self = window(self, 'self') ?? recipe.self;
  for (const entry of q.getAll('cw')) {
    const at = entry.lastIndexOf(':');
    const w = at > 0 ? window(entry.slice(at + 1), `cw (${entry.slice(0, at).slice(0, 30)})`) : undefined;
    if (at <= 0) ignored.push(`cw=${JSON.stringify(entry.slice(0, 40))} (expected word:fraction)`);
    else if (w !== undefined) recipe.crossWords[entry.slice(0, at)] = w;
  }
  for (const entry of q.getAll('w')) {
    const at = entry.lastIndexOf(':');
    const v = at > 0 ? Number(entry.slice(at + 1)) : NaN;
    if (at <= 0 || !Number.isFinite(v) || v < LIMITS.weight.min || v > LIMITS.weight.max) {
      ignored.push(`w=${JSON.stringify(entry.slice(0, 40))} (expected word:weight with weight ${LIMITS.weight.min}…${LIMITS.weight.max})`);
    } else recipe.weights[entry.slice(0, at)] = v;
  }
  const blend = q.getAll('b');
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
  if (base !== null) recipe.baseline = base === '1';
  return { recipe, ignored };
}
