/**
 * Attention re-weighting factors (Prompt-to-Prompt §3.2 "attention re-weighting"): the reference
 * `get_equalizer`. Word `words[i]` gets factor `values[i]` (one value applies to every word), other
 * tokens 1. Shape `[values.length, maxLen]`, every row alike, as the reference builds it.
 */
import { MAX_LEN, type WordTokenizer } from './tokens';
import { requireWordIndices } from './wordIndices';

export function equalizer(
  text: string,
  words: (string | number)[],
  values: number[],
  tok: WordTokenizer,
  maxLen = MAX_LEN,
): Float32Array {
  if (values.length === 0) throw new Error('equalizer needs at least one value');
  if (values.length !== 1 && values.length !== words.length) {
    throw new Error(`equalizer: ${words.length} words but ${values.length} values (give one value, or one per word)`);
  }
  for (const v of values) {
    if (!Number.isFinite(v)) throw new Error(`equalizer values must be finite numbers, got ${v}`);
  }
  const row = new Float32Array(maxLen).fill(1);
  words.forEach((word, i) => {
    const value = values.length === 1 ? values[0] : values[i];
    for (const t of requireWordIndices(text, word, tok, 'reweight')) if (t < maxLen) row[t] = value;
  });
  const out = new Float32Array(values.length * maxLen);
  for (let r = 0; r < values.length; r++) out.set(row, r * maxLen);
  return out;
}
