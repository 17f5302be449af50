/**
 * Builds the `tokenizer.json` (Hugging Face tokenizers schema) of a BERT WordPiece tokenizer from the `vocab.txt`
 * that BERT-style repositories ship (CompVis' LDM text2im: `BertTokenizer`, bert-base-uncased's vocabulary): BERT's
 * normaliser (clean text, CJK spacing, lowercase and accent stripping when uncased), its pre-tokeniser (whitespace
 * and punctuation), greedy longest-match WordPiece with `##` continuations, `[CLS] … [SEP]`.
 */

export const CLS_TOKEN = '[CLS]';
export const SEP_TOKEN = '[SEP]';
export const PAD_TOKEN = '[PAD]';
export const UNK_TOKEN = '[UNK]';
export const MASK_TOKEN = '[MASK]';

/** `vocab.txt`: one token per line, its id the line number (a final newline adds no token). */
export function parseWordPieceVocab(text: string): Record<string, number> {
  const lines = text.split(/\r?\n/);
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  const vocab: Record<string, number> = {};
  lines.forEach((token, id) => {
    if (!(token in vocab)) vocab[token] = id;
  });
  return vocab;
}

function specialToken(content: string, id: number) {
  return { id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true };
}

/** The tokenizer.json object for a WordPiece vocabulary; throws when a special token BERT needs is missing. */
export function buildWordPieceTokenizerJson(vocab: Record<string, number>, opts: { lowercase?: boolean } = {}): Record<string, unknown> {
  const missing = [CLS_TOKEN, SEP_TOKEN, PAD_TOKEN, UNK_TOKEN].filter((t) => vocab[t] === undefined);
  if (missing.length > 0) throw new Error(`vocab.txt lacks the BERT special tokens ${missing.join(', ')}`);
  const lowercase = opts.lowercase ?? true;
  const specials = [PAD_TOKEN, UNK_TOKEN, CLS_TOKEN, SEP_TOKEN, MASK_TOKEN].filter((t) => vocab[t] !== undefined);
  const id = (t: string) => ({ id: t, ids: [vocab[t]], tokens: [t] });
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: specials.map((t) => specialToken(t, vocab[t])),
    // strip_accents null: follows `lowercase`, as BertTokenizerFast does for uncased vocabularies.
    normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: CLS_TOKEN, type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: SEP_TOKEN, type_id: 0 } }],
      pair: [
        { SpecialToken: { id: CLS_TOKEN, type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: SEP_TOKEN, type_id: 0 } },
        { Sequence: { id: 'B', type_id: 1 } },
        { SpecialToken: { id: SEP_TOKEN, type_id: 1 } },
      ],
      special_tokens: { [CLS_TOKEN]: id(CLS_TOKEN), [SEP_TOKEN]: id(SEP_TOKEN) },
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: { type: 'WordPiece', unk_token: UNK_TOKEN, continuing_subword_prefix: '##', max_input_chars_per_word: 100, vocab },
  };
}
