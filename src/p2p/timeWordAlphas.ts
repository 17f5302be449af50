/**
 * The time–word alpha table (Prompt-to-Prompt §3.2, τ per word): the reference
 * `ptp_utils.get_time_words_attention_alpha`. Entry [call, edit, token] is 1 while the edit prompt's
 * token takes the source's cross-attention at that UNet call. Shape `[numSteps + 1, E, maxLen]`.
 */
import { rangeToCounts, toRange, type StepFraction } from './schedule';
import { MAX_LEN, type WordTokenizer } from './tokens';
import { wordIndices } from './wordIndices';

/** One window for every token (`default_`), and optional per-word windows (the reference's dict). */
export type CrossReplaceSteps = StepFraction | Record<string, StepFraction>;

export const DEFAULT_KEY = 'default_';

function fillWindow(
  alpha: Float32Array,
  rows: number,
  edits: number,
  maxLen: number,
  range: [number, number],
  edit: number,
  tokens: number[],
): void {
  const [start, end] = rangeToCounts(range, rows);
  for (let r = 0; r < rows; r++) {
    const value = r >= start && r < end ? 1 : 0;
    for (const t of tokens) alpha[(r * edits + edit) * maxLen + t] = value;
  }
}

export function timeWordAlphas(
  prompts: string[],
  numSteps: number,
  crossReplaceSteps: CrossReplaceSteps,
  tok: WordTokenizer,
  maxLen = MAX_LEN,
): Float32Array {
  if (!Number.isInteger(numSteps) || numSteps < 1) throw new Error(`numSteps must be a positive integer, got ${numSteps}`);
  if (prompts.length < 2) throw new Error('timeWordAlphas needs a source prompt and at least one edited prompt');
  const windows: Record<string, StepFraction> =
    typeof crossReplaceSteps === 'number' || Array.isArray(crossReplaceSteps)
      ? { [DEFAULT_KEY]: crossReplaceSteps }
      : { ...crossReplaceSteps };
  if (!(DEFAULT_KEY in windows)) windows[DEFAULT_KEY] = [0, 1];

  const rows = numSteps + 1;
  const edits = prompts.length - 1;
  const alpha = new Float32Array(rows * edits * maxLen);
  const allTokens = Array.from({ length: maxLen }, (_, t) => t);
  const defaultRange = toRange(windows[DEFAULT_KEY], 'cross-attention replace steps');
  for (let e = 0; e < edits; e++) fillWindow(alpha, rows, edits, maxLen, defaultRange, e, allTokens);

  for (const [word, window] of Object.entries(windows)) {
    if (word === DEFAULT_KEY) continue;
    const range = toRange(window, `cross-attention replace steps for "${word}"`);
    const perEdit = prompts.slice(1).map((p) => wordIndices(p, word, tok).filter((t) => t < maxLen));
    if (perEdit.every((inds) => inds.length === 0)) {
      throw new Error(`cross-attention replace steps: the word "${word}" is in none of the edited prompts`);
    }
    perEdit.forEach((inds, e) => {
      if (inds.length > 0) fillWindow(alpha, rows, edits, maxLen, range, e, inds);
    });
  }
  return alpha;
}
