/**
 * Word-level diff of an edited prompt against the source, for display and for offering the changed
 * words as per-word controls: equal word counts compare position by position (a swap), otherwise
 * a longest-common-subsequence alignment marks added and removed words (a refinement).
 */

export type DiffPart = { word: string; change: 'same' | 'swapped' | 'added' | 'removed'; from?: string };

export function splitPromptWords(text: string): string[] {
  return text.trim().split(/\s+/).filter(Boolean);
}

export function wordDiff(source: string, edited: string): DiffPart[] {
  const a = splitPromptWords(source);
  const b = splitPromptWords(edited);
  if (a.length === b.length) {
    return b.map((word, i) => (word === a[i] ? { word, change: 'same' } : { word, change: 'swapped', from: a[i] }));
  }
  // LCS table, then walk it to emit removed/added/same in order.
  const lcs = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
    }
  }
  const parts: DiffPart[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      parts.push({ word: b[j], change: 'same' });
      i++;
      j++;
    } else if (j < b.length && (i >= a.length || lcs[i][j + 1] >= lcs[i + 1][j])) {
      parts.push({ word: b[j++], change: 'added' });
    } else {
      parts.push({ word: a[i++], change: 'removed' });
    }
  }
  return parts;
}

/** Words of the edited prompt that differ from the source (candidates for per-word schedules). */
export function changedWords(source: string, edited: string): string[] {
  return wordDiff(source, edited)
    .filter((p) => p.change === 'swapped' || p.change === 'added')
    .map((p) => p.word);
}

/** A word of one of the two compared prompts, as the stage shows it. */
export interface MarkedWord {
  text: string;
  /** For the source's words: 'replaced' where the edit swaps the word for another, 'removed' where it drops it. */
  change: DiffPart['change'] | 'replaced';
}

/** The source's words, marked where the edit replaces or drops them; the edit's words with its changes. */
export function markedWords(source: string, edited: string): { source: MarkedWord[]; edit: MarkedWord[] } {
  const parts = wordDiff(source, edited);
  return {
    source: parts.filter((p) => p.change !== 'added').map((p) => ({ text: p.from ?? p.word, change: p.change === 'swapped' ? 'replaced' : p.change })),
    edit: parts.filter((p) => p.change !== 'removed').map((p) => ({ text: p.word, change: p.change })),
  };
}
