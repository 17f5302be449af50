/**
 * How a prompt fills the text encoder's 77 tokens, word by word, by the rule the engine applies
 * (`PromptTokenizer.fit`: BOS, the prompt's tokens, EOS; beyond 77 the prompt's last tokens are dropped
 * and EOS ends the kept 77), so the page can show the count and mark the words that will be ignored.
 */
import { MAX_TOKENS } from './tokenizer';

/** One whitespace-separated word of the prompt and its tokens. */
export interface WordTokens {
  text: string;
  /** Character offsets in the prompt. */
  start: number;
  end: number;
  /** Tokens of the word (CLIP may split one word into several). */
  tokens: number;
  /** Some (or all) of its tokens fall beyond the limit and are dropped. */
  dropped: boolean;
}

export interface PromptTokens {
  /** Tokens of the whole prompt with BOS and EOS, before truncation (what `encode` gives). */
  total: number;
  /** Tokens the encoder sees, BOS and EOS included (≤ maxLen). */
  kept: number;
  /** Prompt tokens dropped (as `fit(...).dropped`). */
  dropped: number;
  maxLen: number;
  words: WordTokens[];
}

/**
 * CLIP's pre-tokenizer never joins text across whitespace, so a prompt's tokens are its words' tokens
 * in order (checked against `encode` of the whole prompt by the unit tests).
 */
export function promptTokens(tok: { encode(text: string): number[] }, prompt: string, maxLen = MAX_TOKENS): PromptTokens {
  const total = tok.encode(prompt).length;
  const dropped = Math.max(0, total - maxLen);
  // Prompt tokens at positions ≥ keep (0-based, BOS excluded) are dropped.
  const keep = maxLen - 2;
  const words: WordTokens[] = [];
  let position = 0;
  for (const match of prompt.matchAll(/\S+/g)) {
    const tokens = Math.max(0, tok.encode(match[0]).length - 2);
    words.push({ text: match[0], start: match.index, end: match.index + match[0].length, tokens, dropped: dropped > 0 && position + tokens > keep });
    position += tokens;
  }
  return { total, kept: Math.min(total, maxLen), dropped, maxLen, words };
}
