// Streams the instrumented UNet's `p2p_attn` while the pipeline runs: a Backend wrapper keeps the last
// call's maps, `onStep` adds them up (the reference `AttentionStore`), split per prompt with token labels.

import type { Backend, PipelineTokenizer, UnetInputs, UnetOutputs } from '../src/diffusion';

const CONTEXT = 77;

export class AttentionTap {
  private last: Float32Array | null = null;
  private sum: Float32Array | null = null;
  /** Steps added so far. */
  steps = 0;
  /** The wrapped backend to hand to the pipeline. */
  readonly backend: Backend;

  constructor(inner: Backend) {
    // The pipeline's own accumulation is internal: keep the latest call's output here. In low-memory
    // mode the conditional call is the last of a step, so at `onStep` time `last` is the right one.
    const unet = async (inputs: UnetInputs): Promise<UnetOutputs> => {
      const out = await inner.unet(inputs);
      this.last = out.attn ?? null;
      return out;
    };
    this.backend = {
      capabilities: inner.capabilities,
      encodeText: (ids, batch) => inner.encodeText(ids, batch),
      unet,
      decode: (latents, dims) => inner.decode(latents, dims),
      dispose: () => inner.dispose(),
    };
  }

  /** Call from the pipeline's `onStep`: adds the step's conditional maps to the running sum. */
  addStep(): void {
    if (!this.last) return;
    if (!this.sum) this.sum = this.last.slice();
    else if (this.sum.length === this.last.length) for (let i = 0; i < this.sum.length; i++) this.sum[i] += this.last[i];
    this.last = null;
    this.steps += 1;
  }

  /** The running sum `[P, R·R, 77]` (the tap's own buffer: copy before handing it out), or null. */
  summed(): Float32Array | null {
    return this.sum;
  }
}

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
