/**
 * The prompt tokenizer: CLIP BPE through @huggingface/transformers, with the fixed-length
 * (77-token, EOS-padded) encoding that Stable Diffusion's text encoder expects.
 * Loads `tokenizer.json`, or builds it from `vocab.json` + `merges.txt` as most SD repos ship.
 */
import { CLIPTokenizer } from '@huggingface/transformers';
import { BOS_TOKEN, EOS_TOKEN, buildClipTokenizerJson, parseMerges, type Vocab } from './clipTokenizerJson';
import { ResourceNotFoundError, joinLocation, readJson, readText } from './readResource';

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
  /** Token ids with BOS/EOS, no padding. */
  encode(text: string): number[];
  /** Text of the ids (special tokens kept, outer whitespace trimmed), like CLIPTokenizer.decode. */
  decode(ids: number[]): string;
  /** `maxLen` ids (default 77), EOS-padded, truncated keeping EOS last. */
  padded(text: string, maxLen?: number): number[];
  /** `padded` plus how many tokens were dropped, so callers can tell the user. */
  fit(text: string, maxLen?: number): FittedPrompt;
  readonly bosId: number;
  readonly eosId: number;
  readonly padId: number;
}

type TokenizerConfig = Record<string, unknown>;

const DEFAULT_CONFIG: TokenizerConfig = {
  bos_token: BOS_TOKEN,
  eos_token: EOS_TOKEN,
  unk_token: EOS_TOKEN,
  pad_token: EOS_TOKEN,
  model_max_length: MAX_TOKENS,
  do_lower_case: true,
  tokenizer_class: 'CLIPTokenizer',
};

function tokenId(tok: CLIPTokenizer, token: unknown, role: string): number {
  const content = typeof token === 'string' ? token : (token as { content?: string } | undefined)?.content;
  // transformers.js exposes the token→id lookup of its inner tokenizer.
  const id = content === undefined ? undefined : (tok as unknown as { _tokenizer: { token_to_id(t: string): number | undefined } })._tokenizer.token_to_id(content);
  if (id === undefined || id === null) throw new Error(`tokenizer has no ${role} token (${String(content)})`);
  return id;
}

/** Wraps a transformers.js tokenizer built from `tokenizer.json` and `tokenizer_config.json` objects. */
export function createPromptTokenizer(tokenizerJson: object, config: TokenizerConfig = {}): PromptTokenizer {
  const merged = { ...DEFAULT_CONFIG, ...config };
  // transformers.js reads pad_token from the config; SD 1.x pads with EOS.
  if (merged.pad_token === null || merged.pad_token === undefined) merged.pad_token = merged.eos_token;
  const tok = new CLIPTokenizer(tokenizerJson, merged);
  const bosId = tokenId(tok, merged.bos_token, 'BOS');
  const eosId = tokenId(tok, merged.eos_token, 'EOS');
  const padId = tokenId(tok, merged.pad_token, 'pad');

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
    encode,
    decode: (ids) => tok.decode(ids).trim(),
    padded: (text, maxLen) => fit(text, maxLen).ids,
    fit,
    bosId,
    eosId,
    padId,
  };
}

async function readOptionalJson<T>(location: string): Promise<T | undefined> {
  try {
    return await readJson<T>(location);
  } catch (err) {
    if (err instanceof ResourceNotFoundError) return undefined;
    throw err;
  }
}

/**
 * Loads a CLIP tokenizer from a folder (file path in Node, URL anywhere) holding `tokenizer.json`,
 * or `vocab.json` + `merges.txt`; `tokenizer_config.json` is optional (CLIP defaults).
 */
export async function loadClipTokenizer(dir: string): Promise<PromptTokenizer> {
  const config = (await readOptionalJson<TokenizerConfig>(joinLocation(dir, 'tokenizer_config.json'))) ?? {};
  const tokenizerJson = await readOptionalJson<object>(joinLocation(dir, 'tokenizer.json'));
  if (tokenizerJson) return createPromptTokenizer(tokenizerJson, config);
  let vocab: Vocab;
  let merges: string;
  try {
    [vocab, merges] = await Promise.all([
      readJson<Vocab>(joinLocation(dir, 'vocab.json')),
      readText(joinLocation(dir, 'merges.txt')),
    ]);
  } catch (err) {
    if (err instanceof ResourceNotFoundError) {
      throw new Error(`no tokenizer in ${dir}: expected tokenizer.json, or vocab.json + merges.txt (${err.message})`);
    }
    throw err;
  }
  return createPromptTokenizer(buildClipTokenizerJson(vocab, parseMerges(merges)), config);
}
