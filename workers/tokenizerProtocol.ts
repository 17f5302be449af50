// The token-count worker's messages: the page sends the prompts and where the model's tokenizer is (the
// embedded model's folder, or a model's key in the browser cache); the worker answers per prompt how it
// fills the 77 tokens (src/text/promptTokens), or why it cannot tell (no tokenizer there yet).

import type { PromptTokens } from '../src/text/promptTokens';

/** Where the tokenizer files are: a web folder of the diffusers layout, or a cached model (`sourceKey`). */
export type TokenizerSource = { kind: 'url'; baseUrl: string } | { kind: 'cache'; key: string };

export interface CountRequest {
  type: 'count';
  id: number;
  source: TokenizerSource;
  prompts: string[];
}

export type CountEvent =
  | { type: 'counts'; id: number; counts: PromptTokens[] }
  | { type: 'unavailable'; id: number; reason: string };
