/**
 * Builds the `tokenizer.json` (Hugging Face tokenizers schema) of a CLIP BPE tokenizer from the
 * `vocab.json` + `merges.txt` pair that most Stable Diffusion repositories ship instead.
 * The pipeline mirrors openai's CLIP tokenizer: NFC, whitespace collapse, lowercase, CLIP's regex
 * split, byte-level alphabet, BPE with the `</w>` end-of-word suffix, `<|startoftext|> … <|endoftext|>`.
 */

export const BOS_TOKEN = '<|startoftext|>';
export const EOS_TOKEN = '<|endoftext|>';

/** CLIP's pre-tokenisation pattern (special tokens, contractions, letter runs, single digits, symbol runs). */
const CLIP_SPLIT_PATTERN =
  "<\\|startoftext\\|>|<\\|endoftext\\|>|'s|'t|'re|'ve|'m|'ll|'d|[\\p{L}]+|[\\p{N}]|[^\\s\\p{L}\\p{N}]+";

export type Vocab = Record<string, number>;

/** Parses `merges.txt`: drops the `#version` header and blank lines. */
export function parseMerges(text: string): string[] {
  return text.split(/\r?\n/).filter((line) => line.length > 0 && !line.startsWith('#version'));
}

function specialToken(content: string, id: number) {
  return { id, content, single_word: false, lstrip: false, rstrip: false, normalized: true, special: true };
}

/** The tokenizer.json object for a CLIP vocabulary; throws when the special tokens are missing. */
export function buildClipTokenizerJson(vocab: Vocab, merges: string[]): Record<string, unknown> {
  const bos = vocab[BOS_TOKEN];
  const eos = vocab[EOS_TOKEN];
  if (bos === undefined || eos === undefined) {
    throw new Error(`vocab.json lacks the CLIP special tokens ${BOS_TOKEN} / ${EOS_TOKEN}`);
  }
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [specialToken(BOS_TOKEN, bos), specialToken(EOS_TOKEN, eos)],
    normalizer: {
      type: 'Sequence',
      normalizers: [
        { type: 'NFC' },
        { type: 'Replace', pattern: { Regex: '\\s+' }, content: ' ' },
        { type: 'Lowercase' },
      ],
    },
    pre_tokenizer: {
      type: 'Sequence',
      pretokenizers: [
        { type: 'Split', pattern: { Regex: CLIP_SPLIT_PATTERN }, behavior: 'Removed', invert: true },
        { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: false },
      ],
    },
    post_processor: {
      type: 'RobertaProcessing',
      sep: [EOS_TOKEN, eos],
      cls: [BOS_TOKEN, bos],
      trim_offsets: false,
      add_prefix_space: false,
    },
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: EOS_TOKEN,
      continuing_subword_prefix: '',
      end_of_word_suffix: '</w>',
      fuse_unk: false,
      byte_fallback: false,
      vocab,
      merges,
    },
  };
}
