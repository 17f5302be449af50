/**
 * Public entry of the text module: loading CLIP tokenizers and fitting prompts to 77 tokens.
 */
export { loadClipTokenizer, createPromptTokenizer, MAX_TOKENS } from './tokenizer';
export type { PromptTokenizer, FittedPrompt } from './tokenizer';
export { buildClipTokenizerJson, parseMerges, BOS_TOKEN, EOS_TOKEN } from './clipTokenizerJson';
export { promptTokens } from './promptTokens';
export type { PromptTokens, WordTokens } from './promptTokens';
