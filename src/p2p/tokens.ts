/**
 * The slice of a tokenizer that Prompt-to-Prompt's pure maths needs, and fitting a prompt's ids to
 * the encoder length. Any `PromptTokenizer` from src/text satisfies `WordTokenizer`.
 */

export const MAX_LEN = 77;

export interface WordTokenizer {
  /** Ids with BOS/EOS, no padding. */
  encode(text: string): number[];
  /** Text of the ids. */
  decode(ids: number[]): string;
}

/** The prompt's ids (BOS … EOS) cut to `maxLen`, keeping EOS last, as the text encoder sees them. */
export function fittedIds(tok: WordTokenizer, text: string, maxLen: number): number[] {
  const ids = tok.encode(text);
  if (ids.length <= maxLen) return ids;
  return [...ids.slice(0, maxLen - 1), ids[ids.length - 1]];
}

/** The words of a prompt as the reference splits them: on single spaces. */
export function splitWords(text: string): string[] {
  return text.split(' ');
}
