// Streams the instrumented UNet's `p2p_attn` while the pipeline runs: the pipeline's running sum (the
// reference `AttentionStore`, handed to `onStep`) split per prompt, with token labels.

import type { PipelineTokenizer } from '../src/diffusion';

const CONTEXT = 77;

/** Prompt `p`'s `[R·R, 77]` maps of a `[P, R·R, 77]` buffer, copied; null when the size does not fit. */
export function splitMaps(all: Float32Array, p: number, prompts: number): { maps: Float32Array; resolution: number } | null {
  const per = all.length / prompts;
  const resolution = Math.round(Math.sqrt(per / CONTEXT));
  if (resolution * resolution * CONTEXT !== per) return null;
  return { maps: all.slice(p * per, (p + 1) * per), resolution };
}

/** The text encoder's tokens of a prompt as labels (BOS, words, EOS; cut to 77 keeping EOS last). */
export function tokenLabels(tokenizer: PipelineTokenizer, prompt: string): string[] {
  const fitted = tokenizer.fit(prompt, CONTEXT);
  return fitted.ids.slice(0, fitted.length).map((id) => tokenizer.decode([id]));
}
