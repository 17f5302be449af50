/**
 * wordColumns against the real CLIP tokenizer: the columns it gives each word decode back to that word's
 * tokens (the attention maps' column labels are the decoded tokens of `fit`, workers/attentionMaps.ts).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { CLIP_TOKENIZER_DIR } from '../../tests/helpers/fixtures';
import { loadPromptTokenizer, type PromptTokenizer } from '../text';
import { promptTokens } from '../text/promptTokens';
import { wordColumns } from './wordTokens';

let tok: PromptTokenizer;
beforeAll(async () => {
  tok = await loadPromptTokenizer(CLIP_TOKENIZER_DIR);
});

function columnsOf(prompt: string): { words: string[]; columns: string[][] } {
  const counted = promptTokens(tok, prompt);
  const fitted = tok.fit(prompt, 77);
  const ids = fitted.ids.slice(0, fitted.length);
  const columns = wordColumns(counted.words, ids.length);
  return { words: counted.words.map((w) => w.text), columns: columns.map((cols) => cols.map((c) => tok.decode([ids[c]]))) };
}

describe('wordColumns', () => {
  it('maps words to the token columns after the start token', () => {
    expect(wordColumns([{ tokens: 1 }, { tokens: 2 }, { tokens: 1 }], 6)).toEqual([[1], [2, 3], [4]]);
  });

  it('gives each word of a real prompt exactly its own tokens, split words included', () => {
    const { columns } = columnsOf('a squirrel eating supercalifragilistic burgers');
    expect(columns.map((c) => c.join('').replace(/\s/g, ''))).toEqual(['a', 'squirrel', 'eating', 'supercalifragilistic', 'burgers']);
    expect(columns[3].length).toBeGreaterThan(1);
  });

  it('gives truncated words only their kept columns, never the end token', () => {
    const prompt = Array.from({ length: 40 }, () => 'supercalifragilistic').join(' ');
    const counted = promptTokens(tok, prompt);
    const columns = wordColumns(counted.words, 77);
    const flat = columns.flat();
    expect(flat).toEqual(Array.from({ length: 75 }, (_, k) => k + 1));
    expect(columns.at(-1)).toEqual([]);
  });
});
