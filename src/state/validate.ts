/**
 * What the controls accept, as pure functions: a typed number against its range (the value is never
 * clamped: a bad one is reported with the accepted range and the run is blocked), and the prompts
 * (empty, or longer than MAX_PROMPT_CHARS, the one limit the UI, the share links and the CLI share; the
 * negative prompt may be empty but has the same limit).
 */
import { LIMITS, MAX_PROMPT_CHARS, type Recipe } from './recipe';

export interface NumberRule {
  min: number;
  max: number;
  integer: boolean;
}

/** The rule of each numeric control (the URL codec reads the same LIMITS). */
export const NUMBER_RULES = {
  seed: { ...LIMITS.seed, integer: true },
  steps: { ...LIMITS.steps, integer: true },
  guidance: { ...LIMITS.guidance, integer: false },
  weight: { ...LIMITS.weight, integer: false },
  threshold: { ...LIMITS.threshold, integer: false },
  /** Injection windows are fractions of the run. */
  window: { min: 0, max: 1, integer: false },
} as const satisfies Record<string, NumberRule>;

/** "an integer from 1 to 150", "a number from 0 to 30". */
export function rangeText(rule: NumberRule): string {
  return `${rule.integer ? 'an integer' : 'a number'} from ${rule.min} to ${rule.max}`;
}

export type ParsedNumber = { ok: true; value: number } | { ok: false; message: string };

/** Reads a typed value; anything empty, not a number, fractional for an integer, or out of range is refused. */
export function parseNumber(text: string, rule: NumberRule): ParsedNumber {
  const trimmed = text.trim();
  const expected = `enter ${rangeText(rule)}`;
  if (trimmed === '') return { ok: false, message: `Empty: ${expected}.` };
  const value = Number(trimmed);
  if (!Number.isFinite(value)) return { ok: false, message: `“${trimmed.slice(0, 20)}” is not a number: ${expected}.` };
  if (rule.integer && !Number.isInteger(value)) return { ok: false, message: `${trimmed.slice(0, 20)} is not a whole number: ${expected}.` };
  if (value < rule.min || value > rule.max) return { ok: false, message: `${trimmed.slice(0, 20)} is out of range: ${expected}.` };
  return { ok: true, value };
}

/** One problem with a control, keyed like RunError.field ('prompt-0', 'steps', 'weight:pink'…). */
export interface FieldIssue {
  field: string;
  /** The control's label, for the run bar's summary. */
  label: string;
  message: string;
}

/** The message for a prompt over MAX_PROMPT_CHARS (the same for every prompt field), or undefined. */
export function tooLongMessage(text: string): string | undefined {
  if (text.length <= MAX_PROMPT_CHARS) return undefined;
  return `${text.length} characters: the limit is ${MAX_PROMPT_CHARS} (so that a share link carries the whole prompt). Remove ${text.length - MAX_PROMPT_CHARS}.`;
}

/** The field key and label of the negative prompt (RunError.field and the run bar's summary). */
export const NEGATIVE_FIELD = { field: 'negative', label: 'Negative prompt' } as const;

/** The prompts' problems: empty ones, and ones over the length limit; the negative prompt may be empty (none), not too long. */
export function promptIssues(recipe: Pick<Recipe, 'prompt' | 'edits' | 'negativePrompt'>): FieldIssue[] {
  const issues: FieldIssue[] = [];
  [recipe.prompt, ...recipe.edits].forEach((p, i) => {
    const label = i === 0 ? 'Source prompt' : `Edited prompt ${i}`;
    const tooLong = tooLongMessage(p);
    if (p.trim() === '') issues.push({ field: `prompt-${i}`, label, message: 'Empty: type a few words.' });
    else if (tooLong) issues.push({ field: `prompt-${i}`, label, message: tooLong });
  });
  const negativeTooLong = tooLongMessage(recipe.negativePrompt);
  if (negativeTooLong) issues.push({ ...NEGATIVE_FIELD, message: negativeTooLong });
  return issues;
}

/** Everything that blocks Generate: the prompts' issues, then the controls holding an invalid typed value. */
export function runIssues(recipe: Pick<Recipe, 'prompt' | 'edits' | 'negativePrompt'>, invalid: Readonly<Record<string, FieldIssue>>): FieldIssue[] {
  return [...promptIssues(recipe), ...Object.values(invalid)];
}
