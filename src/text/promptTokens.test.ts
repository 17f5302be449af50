/**
 * promptTokens against the engine's own rule: its totals and drops equal `encode` and `fit` of the real
 * CLIP tokenizer (and the toy model's), and the words it marks as dropped are exactly those whose tokens
 * are missing from what `fit` keeps.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { CLIP_TOKENIZER_DIR, loadFixture } from '../../tests/helpers/fixtures';
import { TOY_MODEL_DIR } from '../../tests/helpers/toyModel';
import { loadPromptTokenizer, type PromptTokenizer } from './index';
import { promptTokens } from './promptTokens';

const golden = loadFixture<{ tokenize: { text: string }[] }>('p2p-golden.json').tokenize.map((c) => c.text);
const words = (n: number, word: string) => Array.from({ length: n }, () => word).join(' ');
const PROMPTS = [
  ...golden,
  '',
  '   a   cat,  riding a bicycle!!  ',
  "the squirrel's burger (watercolor), 8k, highly-detailed",
  'Ünïcode café — naïve façade',
  'supercalifragilisticexpialidocious antidisestablishmentarianism',
  words(74, 'cat'),
  words(75, 'cat'),
  words(76, 'cat'),
  words(100, 'cat'),
  `${words(70, 'cat')} supercalifragilisticexpialidocious dog`,
  `${words(60, 'a red circle,')} and a blue square`,
];

function checkAgainstFit(tok: PromptTokenizer, prompt: string) {
  const counted = promptTokens(tok, prompt);
  const fitted = tok.fit(prompt);
  expect(counted.total, prompt).toBe(tok.encode(prompt).length);
  expect(counted.dropped, prompt).toBe(fitted.dropped);
  expect(counted.kept, prompt).toBe(fitted.length);
  // The words' tokens, in order, are the prompt's tokens.
  expect(counted.words.reduce((n, w) => n + w.tokens, 0) + 2, prompt).toBe(counted.total);
  expect(counted.words.flatMap((w) => tok.encode(w.text).slice(1, -1)), prompt).toEqual(tok.encode(prompt).slice(1, -1));
  // Kept words are wholly in what the engine keeps; the first dropped word is not.
  const keptContent = fitted.ids.slice(1, fitted.length - 1);
  const keptWords = counted.words.filter((w) => !w.dropped);
  const keptTokens = keptWords.flatMap((w) => tok.encode(w.text).slice(1, -1));
  expect(keptContent.slice(0, keptTokens.length), prompt).toEqual(keptTokens);
  const firstDropped = counted.words.find((w) => w.dropped);
  if (firstDropped) expect(keptContent.length, prompt).toBeLessThan(keptTokens.length + firstDropped.tokens);
  else expect(keptContent.length, prompt).toBe(keptTokens.length);
  // Dropped words come last.
  expect(counted.words.slice(counted.words.findIndex((w) => w.dropped)).every((w) => w.dropped || !firstDropped)).toBe(true);
}

describe('promptTokens (CLIP tokenizer)', () => {
  let tok: PromptTokenizer;
  beforeAll(async () => {
    tok = await loadPromptTokenizer(CLIP_TOKENIZER_DIR);
  });
  it.each(PROMPTS.map((p) => [p.slice(0, 40)] as const).map((x, i) => [x[0], PROMPTS[i]] as const))('%j matches encode/fit', (_, p) => checkAgainstFit(tok, p));

  it('counts BOS and EOS, and marks the words beyond token 77', () => {
    expect(promptTokens(tok, 'a cat')).toMatchObject({ total: 4, kept: 4, dropped: 0 });
    const over = promptTokens(tok, `${words(75, 'cat')} dog bicycle`);
    expect(over).toMatchObject({ total: 79, kept: 77, dropped: 2 });
    expect(over.words.filter((w) => w.dropped).map((w) => [w.text, w.start])).toEqual([['dog', 75 * 4], ['bicycle', 75 * 4 + 4]]);
  });
});

describe('promptTokens (toy model tokenizer)', () => {
  let tok: PromptTokenizer;
  beforeAll(async () => {
    tok = await loadPromptTokenizer(`${TOY_MODEL_DIR}/tokenizer`);
  });
  it.each(['a small pink heart', words(80, 'red'), `${words(74, 'a')} blue star`])('%j matches encode/fit', (p) => checkAgainstFit(tok, p));
});
