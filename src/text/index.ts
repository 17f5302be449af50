/**
 * Public entry of the text module: loading tokenizers (CLIP BPE, BERT WordPiece) and fitting prompts to 77 tokens.
 */
export { loadPromptTokenizer, createPromptTokenizer, MAX_TOKENS } from './tokenizer';
export type { PromptTokenizer, FittedPrompt } from './tokenizer';
export { buildClipTokenizerJson, parseMerges, BOS_TOKEN, EOS_TOKEN } from './clipTokenizerJson';
export { buildWordPieceTokenizerJson, parseWordPieceVocab } from './wordPieceTokenizerJson';
export { readTokenizerFiles, TOKENIZER_FORMS, type ReadTokenizerFile } from './tokenizerFiles';
export { promptTokens } from './promptTokens';
export type { PromptTokens, WordTokens } from './promptTokens';
