// The compute a generation run needs from a runtime (text encoder, UNet, VAE decoder and optionally encoder), as plain typed
// arrays, so the loop in pipeline.ts runs unchanged over onnxruntime-node, -web (wasm/WebGPU) or a stub;
// optionally a resident loop that keeps the latents on the device between steps.

import type { LinearStepPlan } from './linearStep';

/** Prompt-to-Prompt inputs of the instrumented UNet (ARCHITECTURE.md, "One UNet graph does the editing"). */
export interface P2PInputs {
  /** `p2p_map` `[edits, 77, 77]`: token map M per edited prompt. */
  map: Float32Array;
  /** `p2p_gain` `[edits, 77]`: G. */
  gain: Float32Array;
  /** `p2p_keep` `[edits, 77]`: H. */
  keep: Float32Array;
  /** `p2p_self` (1 = replace the self-attention of edited prompts in small layers this call). */
  self: boolean;
  /** E, the number of edited prompts (prompts − 1); may be 0 for a single prompt. */
  edits: number;
}

export interface UnetInputs {
  /** Latent model input `[B, C, h, w]`, already scaled by the scheduler. */
  sample: Float32Array;
  sampleDims: [number, number, number, number];
  /** The scheduler's timestep (an integer for PNDM/DDIM, may be fractional for Euler/DPM++). */
  timestep: number;
  /** Text embeddings `[B, 77, D]`, same batch as `sample`. */
  context: Float32Array;
  contextDims: [number, number, number];
  /** Required by an instrumented UNet (identity parameters when nothing is edited); ignored by a stock one. */
  p2p?: P2PInputs;
}

export interface UnetOutputs {
  /** Noise prediction, same shape as the sample. */
  noise: Float32Array;
  /** `p2p_attn` `[P, R·R, 77]` (instrumented UNet only): post-edit cross-attention of the last group. */
  attn?: Float32Array;
}

export interface DecodedImages {
  /** `[B, 3, H, W]`, in [-1, 1] (not clamped). */
  data: Float32Array;
  dims: [number, number, number, number];
}

export interface BackendCapabilities {
  /** The UNet has the `p2p_*` inputs and the `p2p_attn` output. */
  instrumented: boolean;
  /** `R` of `p2p_attn` (`R·R` pixels), or null when not instrumented / not known before a call. */
  mapResolution: number | null;
  /** Latent channels C of the UNet sample. */
  latentChannels: number;
  /** Default latent size `[h, w]` (from the model's config or fixed graph shapes), null when unknown. */
  latentSize: [number, number] | null;
  /** Text encoder sequence length (77 for CLIP). */
  contextLength: number;
  /** Text encoder hidden size D, null when only known after a call. */
  hiddenSize: number | null;
  /** A short description for logs ("onnxruntime-node cpu", "onnxruntime-web webgpu"). */
  description: string;
}

/** One UNet call of a resident loop: the CFG batch `[x; x]` is built on the device from its latents. */
export interface ResidentUnetCall {
  timestep: number;
  /** Text embeddings `[2P, 77, D]` (unconditional group first). */
  context: Float32Array;
  contextDims: [number, number, number];
  p2p?: P2PInputs;
  /** The UNet sees `x / inputDivisor` (the scheduler's `modelInputDivisor`, Euler's √(σ² + 1)); 1 or absent: `x`. */
  inputDivisor?: number;
  /**
   * Low-memory mode: the UNet runs on `x` alone (batch P, `context` `[P, 77, D]`) and its output fills this half of
   * the kept `[uncond; cond]` output; an 'uncond' call's `p2p_attn` is not added to the attention sum.
   */
  half?: 'uncond' | 'cond';
}

/** LocalBlend inputs for a resident update (see `localBlend` in src/p2p); the maps are the loop's own attention sum. */
export interface ResidentBlend {
  mapRes: number;
  alphas: Float32Array;
  threshold: number;
}

/**
 * A denoising loop whose latents stay where the backend computes (the GPU): the pipeline sends
 * scheduler plans, not tensors, and reads latents back only when it needs them.
 */
export interface ResidentLoop {
  /**
   * Runs the UNet on `[x; x] / inputDivisor` (in the UNet's float type), keeps its output for `update` and adds its `p2p_attn` to the loop's attention sum,
   * all on the device (nothing is read back); says how many pixels (R·R) a map has, when the UNet is instrumented.
   */
  unet(call: ResidentUnetCall): Promise<{ attnPixels?: number }>;
  /** Guidance of the kept output, the scheduler plan, then LocalBlend (from the attention sum) when given — all on the device. */
  update(plan: LinearStepPlan, guidance: number, blend?: ResidentBlend): Promise<void>;
  /** The current latents `[P, C, h, w]` (read back). */
  read(): Promise<Float32Array>;
  /** `p2p_attn` summed over the calls so far `[P, R·R, 77]` (read back), or null before any / without instrumentation. */
  attention(): Promise<Float32Array | null>;
  /** Frees the loop's device buffers. */
  dispose(): void;
}

/**
 * What a runtime provides. Calls are sequential: the pipeline never overlaps two calls on one
 * backend. Buffers passed in are not retained after the returned promise settles.
 */
export interface Backend {
  readonly capabilities: BackendCapabilities;
  /** Token ids `[batch, 77]` → last hidden state `[batch, 77, D]`. */
  encodeText(ids: Int32Array, batch: number): Promise<Float32Array>;
  unet(inputs: UnetInputs): Promise<UnetOutputs>;
  /** Latents `[B, C, h, w]` already divided by the VAE scaling factor → images. */
  decode(latents: Float32Array, dims: [number, number, number, number]): Promise<DecodedImages>;
  /**
   * Optional (a model with `vae_encoder/`): images `[B, 3, H, W]` in [-1, 1] → latents `[B, C, h, w]`, not yet
   * multiplied by the scaling factor (diffusers' `vae_encoder`). Absent: the model cannot take a picture.
   */
  encode?(images: Float32Array, dims: [number, number, number, number]): Promise<DecodedImages>;
  /** Frees sessions and device memory; the backend is unusable afterwards. */
  dispose(): Promise<void>;
  /**
   * Optional: a loop keeping the latents `[P, C, h, w]` on the device (WebGPU), or null when this
   * model cannot (e.g. an fp16 UNet). Without it the pipeline keeps them in CPU memory.
   */
  residentLoop?(latents: Float32Array, dims: [number, number, number, number]): Promise<ResidentLoop | null>;
  /**
   * Optional: per-token greyscale tiles of `maps` `[P, R·R, K]` on the device (`tokenHeatmaps` of
   * src/p2p for each prompt, `count` tokens each); without it callers use that CPU function.
   */
  heatmapTiles?(maps: Float32Array, prompts: number, res: number, count: number): Promise<Uint8ClampedArray[][]>;
}

/** Identity P2P parameters (G = 0, H = 1, M = I, no self replace): the instrumented UNet then equals the stock one. */
export function identityP2P(edits: number, maxLen = 77): P2PInputs {
  const map = new Float32Array(edits * maxLen * maxLen);
  for (let e = 0; e < edits; e++) for (let i = 0; i < maxLen; i++) map[(e * maxLen + i) * maxLen + i] = 1;
  return { map, gain: new Float32Array(edits * maxLen), keep: new Float32Array(edits * maxLen).fill(1), self: false, edits };
}
