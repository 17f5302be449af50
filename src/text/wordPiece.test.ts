/**
 * The BERT WordPiece tokenizer built from a `vocab.txt` (LDM text2im's tokenizer form), against the behaviour of
 * google-research/bert's `tokenization.py` that BertTokenizer reproduces: uncased normalisation with accents
 * stripped, punctuation split off, greedy longest-match-first pieces with `##` continuations, a word with any
 * unmatched rest (or over 100 characters) as one [UNK], CJK characters one by one, `[CLS] … [SEP]`, padding with
 * [PAD] and truncation keeping [SEP] last; Prompt-to-Prompt's word indices over `##` pieces as the original
 * `get_word_inds` strips them.
 */
import { describe, expect, it } from 'vitest';
import { wordIndices } from '../p2p/wordIndices';
import { readTokenizerFiles } from './tokenizerFiles';
import { createPromptTokenizer, type PromptTokenizer } from './tokenizer';
import { parseWordPieceVocab } from './wordPieceTokenizerJson';

// BERT's layout: [PAD] 0, [unused0] 1, [UNK] 100, [CLS] 101, [SEP] 102, [MASK] 103, then the vocabulary.
const WORDS = ['a', 'cat', 'dog', 'riding', 'bicycle', 'un', '##aff', '##able', '##s', 'paint', '##ing', 'of', 'cafe', ',', '.', '猫', 'the'];
const LINES = ['[PAD]', ...Array.from({ length: 99 }, (_, i) => `[unused${i}]`), '[UNK]', '[CLS]', '[SEP]', '[MASK]', ...WORDS];
const VOCAB_TXT = `${LINES.join('\n')}\n`;
const id = (token: string) => LINES.indexOf(token);

async function fromVocabTxt(config: Record<string, unknown> = {}): Promise<PromptTokenizer> {
  const files: Record<string, string> = { 'vocab.txt': VOCAB_TXT, 'tokenizer_config.json': JSON.stringify(config) };
  const { json, config: cfg } = await readTokenizerFiles(async (name) => files[name], 'test/tokenizer');
  return createPromptTokenizer(json, cfg);
}

describe('WordPiece from vocab.txt', () => {
  it('reads ids from line numbers (a final newline adds nothing)', () => {
    const vocab = parseWordPieceVocab(VOCAB_TXT);
    expect(Object.keys(vocab)).toHaveLength(LINES.length);
    expect(vocab['[CLS]']).toBe(101);
    expect(vocab['##aff']).toBe(id('##aff'));
  });

  it('encodes as BERT: [CLS] … [SEP], uncased, accents stripped, punctuation split, ## pieces, [UNK] words', async () => {
    const tok = await fromVocabTxt();
    expect(tok.kind).toBe('wordpiece');
    expect([tok.bosId, tok.eosId, tok.padId]).toEqual([101, 102, 0]);
    const pieces = (text: string) => tok.encode(text).map((i) => LINES[i]);
    expect(pieces('A Cat, riding bicycles.')).toEqual(['[CLS]', 'a', 'cat', ',', 'riding', 'bicycle', '##s', '.', '[SEP]']);
    expect(pieces('unaffable')).toEqual(['[CLS]', 'un', '##aff', '##able', '[SEP]']);
    expect(pieces('Café painting')).toEqual(['[CLS]', 'cafe', 'paint', '##ing', '[SEP]']);
    // One unmatched rest makes the whole word [UNK] (not "un ##aff [UNK]"); so does a word over 100 characters.
    expect(pieces('unaffablez zebra')).toEqual(['[CLS]', '[UNK]', '[UNK]', '[SEP]']);
    expect(pieces('a'.repeat(101))).toEqual(['[CLS]', '[UNK]', '[SEP]']);
    expect(pieces('a猫')).toEqual(['[CLS]', 'a', '猫', '[SEP]']);
    expect(pieces('')).toEqual(['[CLS]', '[SEP]']);
  });

  it('keeps case when tokenizer_config.json says do_lower_case: false', async () => {
    const tok = await fromVocabTxt({ do_lower_case: false });
    expect(tok.encode('Cat cat').map((i) => LINES[i])).toEqual(['[CLS]', '[UNK]', 'cat', '[SEP]']);
  });

  it('pads with [PAD] to 77 and truncates keeping [SEP] last', async () => {
    const tok = await fromVocabTxt();
    const fitted = tok.fit('a cat');
    expect(fitted.ids.slice(0, 4)).toEqual([101, id('a'), id('cat'), 102]);
    expect(fitted.ids.slice(4).every((i) => i === 0)).toBe(true);
    expect(fitted.ids).toHaveLength(77);
    const long = tok.fit(Array(100).fill('cat').join(' '));
    expect(long).toMatchObject({ length: 77, dropped: 25 });
    expect(long.ids[76]).toBe(102);
  });

  it("gives Prompt-to-Prompt every piece of a word (the original get_word_inds strips '#')", async () => {
    const tok = await fromVocabTxt();
    expect(tok.decode([id('##aff')])).toBe('##aff');
    expect(wordIndices('a dog unaffable', 'unaffable', tok)).toEqual([3, 4, 5]);
    expect(wordIndices('a dog riding bicycles', 'bicycles', tok)).toEqual([4, 5]);
    expect(wordIndices('a dog riding bicycles', 2, tok)).toEqual([3]);
  });
});
