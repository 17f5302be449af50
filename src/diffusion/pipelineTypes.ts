// Request, result, progress and error types of the generation pipeline (pipeline.ts), the
// Prompt-to-Prompt reference `text2image_ldm_stable` with its controllers expressed as an EditSpec.

import type { CrossReplaceSteps, EditKind, StepFraction, WordTokenizer } from '../p2p';
import type { Backend } from './backend';
import type { SchedulerConfig, SchedulerName } from './scheduler';

/** The tokenizer slice the pipeline uses (src/text's `PromptTokenizer` satisfies it). */
export interface PipelineTokenizer extends WordTokenizer {
  /** `maxLen` ids (EOS-padded, truncated keeping EOS last) and how many prompt tokens were dropped. */
  fit(text: string, maxLen?: number): { ids: number[]; length: number; dropped: number };
}

/** A loaded model: compute backend, tokenizer and the two config values the loop needs. */
export interface PipelineModel {
  backend: Backend;
  tokenizer: PipelineTokenizer;
  /** The model's `scheduler/scheduler_config.json` object. */
  schedulerConfig: SchedulerConfig;
  /** `vae_decoder/config.json` `scaling_factor` (SD: 0.18215). */
  scalingFactor: number;
}

/** A Prompt-to-Prompt controller (the reference's AttentionReplace / AttentionRefine / AttentionReweight). */
export interface EditOptions {
  kind: EditKind;
  /** Fraction (or [start, end], or per-word windows) of calls whose cross-attention is injected. */
  crossReplaceSteps: CrossReplaceSteps;
  /** Fraction (or [start, end]) of calls whose small self-attention is replaced. */
  selfReplaceSteps: StepFraction;
  equalizer?: { words: (string | number)[]; values: number[] };
  reweightBase?: 'replace' | 'refine';
  /** LocalBlend: the words of each prompt (one list per prompt) whose attention marks the edit region. */
  localBlend?: { words: string[][]; threshold?: number };
}

export interface GenerateRequest {
  /** Source prompt first, then edited prompts. One prompt: plain generation. */
  prompts: string[];
  /**
   * The negative prompt: the unconditional branch of classifier-free guidance encodes it instead of "" for
   * every prompt (diffusers' `negative_prompt`); absent or "" = the empty prompt. The controller never edits it.
   */
  negativePrompt?: string;
  /** The controller; absent = "no controller" baseline (every prompt generated plainly, same seed). */
  edit?: EditOptions;
  seed: number;
  steps: number;
  guidance: number;
  /** Default: the one the model's scheduler_config names (`_class_name`), else 'pndm' (SD's). */
  scheduler?: SchedulerName;
  /** Latent `[h, w]`; default the backend's. */
  latentSize?: [number, number];
  /** Run the unconditional and conditional groups as two UNet calls (half the activation memory). */
  lowMemory?: boolean;
  /** A latent `[1, C, h, w]` to start from instead of `torchRandn(seed)` (the reference's `latent=`). */
  initialLatent?: Float32Array;
}

export interface ProgressEvent {
  /** UNet calls done so far (1-based once a call finishes). */
  call: number;
  total: number;
  /** Milliseconds since the run started. */
  elapsed: number;
}

/** What `onStep` sees after a step. */
export interface StepState {
  /** The current latents `[P, C, h, w]` (read back from the device when the loop keeps them there); do not keep. */
  latents(): Promise<Float32Array>;
  /**
   * `p2p_attn` summed over the calls so far `[P, R·R, 77]` (the run's own buffer: copy what you keep), or null;
   * read back from the device when the loop keeps it there, so ask only when a heatmap is due.
   */
  attention(): Promise<Float32Array | null>;
}

export interface GenerateOptions {
  /** Checked before every UNet call; the run then rejects with an `AbortError`. */
  signal?: { readonly aborted: boolean; readonly reason?: unknown };
  onProgress?: (event: ProgressEvent) => void;
  /** Called after each scheduler step (and LocalBlend); the run waits for a returned promise. */
  onStep?: (step: number, state: StepState) => void | Promise<void>;
  /** Millisecond clock; default `performance.now` where present, else `Date.now`. */
  now?: () => number;
}

/** Milliseconds per stage. */
export interface StageTimings {
  tokenizer: number;
  textEncoder: number;
  /** The denoising loop, UNet calls and everything between them. */
  unetLoop: number;
  /** Time inside `backend.unet` only. */
  unetCalls: number;
  /** (unetLoop − unetCalls) / steps: guidance, scheduler, LocalBlend, accumulation, tensor copies. */
  perStepOverhead: number;
  vae: number;
  total: number;
}

export interface GenerateResult {
  /** RGBA per prompt, `height × width × 4`, like the reference `latent2image` (truncating to uint8). */
  images: Uint8ClampedArray[];
  width: number;
  height: number;
  /** Final latents `[P, C, h, w]` (before the scaling factor is removed). */
  latents: Float32Array;
  latentDims: [number, number, number, number];
  /** The shared starting latent `[1, C, h, w]` (before initNoiseSigma). */
  initialLatent: Float32Array;
  /** Token ids fed to the text encoder, `[P, 77]`, and per-prompt truncation. */
  tokenIds: Int32Array;
  dropped: number[];
  /** Text embeddings of the prompts `[P, 77, D]` (conditional group only). */
  textEmbeddings: Float32Array;
  /**
   * The unconditional row shared by every prompt: the negative prompt's (or ""'s) token ids `[77]`, its
   * embedding `[77, D]`, and how many of its tokens were dropped.
   */
  uncond: { tokenIds: Int32Array; embedding: Float32Array; dropped: number };
  /** The scheduler's timesteps, one per UNet call (per pair of calls in low-memory mode). */
  timesteps: number[];
  /** `p2p_attn` summed over calls `[P, R·R, 77]` (instrumented UNet only). */
  attention?: { maps: Float32Array; resolution: number; calls: number };
  /** Human-readable notes (truncated prompts). */
  warnings: string[];
  /** The latents stayed on the device between steps (the backend's resident loop ran). */
  latentsOnDevice: boolean;
  timings: StageTimings;
}

export type PipelineErrorCode = 'bad-input' | 'not-instrumented' | 'backend';

/** An error the caller can show: bad input, or a model that cannot do what was asked. */
export class PipelineError extends Error {
  constructor(
    readonly code: PipelineErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'PipelineError';
  }
}

/** The run was cancelled through its signal. */
export class AbortError extends Error {
  constructor(message = 'generation cancelled') {
    super(message);
    this.name = 'AbortError';
  }
}
