/**
 * Token positions of a word in a prompt: the reference `ptp_utils.get_word_inds`.
 * Words are the prompt split on spaces; a word is matched by exact text or by its index, and maps to
 * every token its text spans (BOS is position 0, so the first word's first token is 1).
 */
import { splitWords, type WordTokenizer } from './tokens';

export function wordIndices(text: string, word: string | number, tok: WordTokenizer): number[] {
  const words = splitWords(text);
  const places =
    typeof word === 'number' ? [word] : words.flatMap((w, i) => (w === word ? [i] : []));
  if (places.length === 0) return [];
  // The decoded text of each token between BOS and EOS; '#' stripped as the reference does.
  const pieces = tok
    .encode(text)
    .slice(1, -1)
    .map((id) => tok.decode([id]).replace(/^#+|#+$/g, ''));
  const out: number[] = [];
  let covered = 0;
  let ptr = 0;
  for (let i = 0; i < pieces.length && ptr < words.length; i++) {
    covered += pieces[i].length;
    if (places.includes(ptr)) out.push(i + 1);
    if (covered >= words[ptr].length) {
      ptr += 1;
      covered = 0;
    }
  }
  return out;
}

/** Token positions of a word, or an error naming the word and the prompt when it is not there. */
export function requireWordIndices(text: string, word: string | number, tok: WordTokenizer, role: string): number[] {
  const inds = wordIndices(text, word, tok);
  if (inds.length === 0) {
    const what = typeof word === 'number' ? `word #${word}` : `word "${word}"`;
    throw new Error(`${role}: ${what} is not in the prompt "${text}"`);
  }
  return inds;
}
