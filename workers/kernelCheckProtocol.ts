/**
 * Messages of the kernel-check worker (test-only, reached through the e2e hook): it runs the LocalBlend,
 * heatmap, scheduler-step, accumulate and UNet-sample WGSL kernels on the inputs it is given, for parity with their CPU twins.
 */
import type { LinearStepPlan } from '../src/diffusion/linearStep';

/** Inputs for the LocalBlend, heatmap and scheduler-step kernels (compared with their CPU twins by the caller). */
export interface KernelCheckRequest {
  type: 'kernels';
  id: number;
  localBlend?: { latents: Float32Array; maps: Float32Array; alphas: Float32Array; dims: [number, number, number, number]; res: number; keys: number; threshold: number };
  heatmaps?: { maps: Float32Array; prompts: number; res: number; keys: number; count: number };
  /** Consecutive scheduler steps from latent `x`, one UNet output `[uncond; cond]` per step. */
  linearSteps?: { plans: LinearStepPlan[]; x: Float32Array; noises: Float32Array[]; scale: number };
  /** Per-call `p2p_attn` maps summed on the GPU (the resident loop's attention store). */
  accumulate?: { steps: Float32Array[] };
  /** The UNet sample `[x/d; x/d]` as `type`, and float16 `halves` (bits) widened to float32. */
  unetSample?: { x: Float32Array; divisor: number; type: 'float32' | 'float16'; halves: Uint16Array };
}

export interface KernelCheckResult {
  type: 'kernels-result';
  id: number;
  localBlend?: Float32Array;
  /** `[prompt][token]` tiles. */
  heatmaps?: Uint8ClampedArray[][];
  /** The latent after each step. */
  linearSteps?: Float32Array[];
  accumulate?: Float32Array;
  /** The sample (float16 as bits) and the widened halves. */
  unetSample?: { sample: Float32Array | Uint16Array; unpacked?: Float32Array };
}

export type KernelCheckEvent =
  | KernelCheckResult
  | { type: 'kernels-error'; id: number; code: 'no-webgpu' | 'kernel-failed'; message: string };
