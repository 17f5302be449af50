/**
 * The prompt tokenizer through @huggingface/transformers, with the fixed-length (77-token) encoding the text
 * encoders expect: CLIP BPE (Stable Diffusion: `<|startoftext|> … <|endoftext|>`, padded with EOS) or BERT
 * WordPiece (LDM text2im's LDM-BERT: `[CLS] … [SEP]`, padded with `[PAD]`), chosen by the tokenizer.json's model.
 * Loads a folder in any of the forms repositories ship (src/text/tokenizerFiles.ts).
 */
import { BertTokenizer, CLIPTokenizer, type PreTrainedTokenizer } from '@huggingface/transformers';
import { BOS_TOKEN, EOS_TOKEN } from './clipTokenizerJson';
import { readTokenizerFiles } from './tokenizerFiles';
import { CLS_TOKEN, MASK_TOKEN, PAD_TOKEN, SEP_TOKEN, UNK_TOKEN } from './wordPieceTokenizerJson';
import { ResourceNotFoundError, joinLocation, readText } from './readResource';

export const MAX_TOKENS = 77;

/** A prompt fitted to the encoder's length: ids padded to `maxLen`, and what truncation dropped. */
export interface FittedPrompt {
  ids: number[];
  /** Tokens kept, BOS and EOS included. */
  length: number;
  /** Tokens of the prompt that did not fit and were dropped (0 when it fits). */
  dropped: number;
}

export interface PromptTokenizer {
  /** Which tokenizer family: CLIP's byte-level BPE or BERT's WordPiece. */
  readonly kind: 'clip-bpe' | 'wordpiece';
  /** Token ids with BOS/EOS, no padding. */
  encode(text: string): number[];
  /** Text of the ids (special tokens kept, outer whitespace trimmed), like CLIPTokenizer.decode. */
  decode(ids: number[]): string;
  /** `maxLen` ids (default 77), padded with the pad token, truncated keeping EOS last. */
  padded(text: string, maxLen?: number): number[];
  /** `padded` plus how many tokens were dropped, so callers can tell the user. */
  fit(text: string, maxLen?: number): FittedPrompt;
  readonly bosId: number;
  readonly eosId: number;
  readonly padId: number;
}

type TokenizerConfig = Record<string, unknown>;

const CLIP_DEFAULTS: TokenizerConfig = {
  bos_token: BOS_TOKEN,
  eos_token: EOS_TOKEN,
  unk_token: EOS_TOKEN,
  pad_token: EOS_TOKEN,
  model_max_length: MAX_TOKENS,
  do_lower_case: true,
  tokenizer_class: 'CLIPTokenizer',
};

/** BertTokenizer's defaults (bert-base-uncased's tokenizer_config.json names none of its tokens); BOS/EOS are CLS/SEP. */
const BERT_DEFAULTS: TokenizerConfig = {
  cls_token: CLS_TOKEN,
  sep_token: SEP_TOKEN,
  pad_token: PAD_TOKEN,
  unk_token: UNK_TOKEN,
  mask_token: MASK_TOKEN,
  model_max_length: MAX_TOKENS,
  do_lower_case: true,
  tokenizer_class: 'BertTokenizer',
};

function tokenId(tok: PreTrainedTokenizer, token: unknown, role: string): number {
  const content = typeof token === 'string' ? token : (token as { content?: string } | undefined)?.content;
  // transformers.js exposes the token→id lookup of its inner tokenizer.
  const id = content === undefined ? undefined : (tok as unknown as { _tokenizer: { token_to_id(t: string): number | undefined } })._tokenizer.token_to_id(content);
  if (id === undefined || id === null) throw new Error(`tokenizer has no ${role} token (${String(content)})`);
  return id;
}

/** Wraps a transformers.js tokenizer built from `tokenizer.json` and `tokenizer_config.json` objects. */
export function createPromptTokenizer(tokenizerJson: object, config: TokenizerConfig = {}): PromptTokenizer {
  const wordPiece = (tokenizerJson as { model?: { type?: string } }).model?.type === 'WordPiece';
  let tok: PreTrainedTokenizer;
  let bosId: number;
  let eosId: number;
  let padId: number;
  if (wordPiece) {
    const merged = { ...BERT_DEFAULTS, ...config };
    tok = new BertTokenizer(tokenizerJson, merged);
    bosId = tokenId(tok, merged.cls_token, 'CLS');
    eosId = tokenId(tok, merged.sep_token, 'SEP');
    padId = tokenId(tok, merged.pad_token, 'pad');
  } else {
    const merged = { ...CLIP_DEFAULTS, ...config };
    // transformers.js reads pad_token from the config; SD 1.x pads with EOS.
    if (merged.pad_token === null || merged.pad_token === undefined) merged.pad_token = merged.eos_token;
    tok = new CLIPTokenizer(tokenizerJson, merged);
    bosId = tokenId(tok, merged.bos_token, 'BOS');
    eosId = tokenId(tok, merged.eos_token, 'EOS');
    padId = tokenId(tok, merged.pad_token, 'pad');
  }

  const encode = (text: string): number[] => tok.encode(text);
  const fit = (text: string, maxLen = MAX_TOKENS): FittedPrompt => {
    if (!Number.isInteger(maxLen) || maxLen < 2) throw new Error(`maxLen must be an integer ≥ 2, got ${maxLen}`);
    const ids = encode(text);
    const dropped = Math.max(0, ids.length - maxLen);
    const kept = dropped > 0 ? [...ids.slice(0, maxLen - 1), eosId] : ids;
    const padded = kept.concat(new Array<number>(maxLen - kept.length).fill(padId));
    return { ids: padded, length: kept.length, dropped };
  };
  return {
    kind: wordPiece ? 'wordpiece' : 'clip-bpe',
    encode,
    decode: (ids) => tok.decode(ids).trim(),
    padded: (text, maxLen) => fit(text, maxLen).ids,
    fit,
    bosId,
    eosId,
    padId,
  };
}

/**
 * Loads the tokenizer of a folder (file path in Node, URL anywhere) holding `tokenizer.json`, `vocab.json` +
 * `merges.txt` (CLIP), or `vocab.txt` (BERT WordPiece); `tokenizer_config.json` is optional.
 */
export async function loadPromptTokenizer(dir: string): Promise<PromptTokenizer> {
  const read = async (name: string): Promise<string | undefined> => {
    try {
      return await readText(joinLocation(dir, name));
    } catch (err) {
      if (err instanceof ResourceNotFoundError) return undefined;
      throw err;
    }
  };
  const { json, config } = await readTokenizerFiles(read, dir);
  return createPromptTokenizer(json, config);
}
