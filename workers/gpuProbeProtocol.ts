/**
 * Messages of the GPU probe worker: it obtains a WebGPU device inside a module worker (where the
 * engine will run) and runs the guidance WGSL kernel on the inputs it is given.
 */
import type { LinearStepPlan } from '../src/diffusion/linearStep';
import type { GpuInfo } from '../src/runtime/webgpu/device';

export interface ProbeRequest {
  type: 'probe';
  id: number;
  uncond: Float32Array;
  cond: Float32Array;
  scale: number;
}

/** Inputs for the LocalBlend, heatmap and scheduler-step kernels (compared with their CPU twins by the caller). */
export interface KernelCheckRequest {
  type: 'kernels';
  id: number;
  localBlend?: { latents: Float32Array; maps: Float32Array; alphas: Float32Array; dims: [number, number, number, number]; res: number; keys: number; threshold: number };
  heatmaps?: { maps: Float32Array; prompts: number; res: number; keys: number; count: number };
  /** Consecutive scheduler steps from latent `x`, one UNet output `[uncond; cond]` per step. */
  linearSteps?: { plans: LinearStepPlan[]; x: Float32Array; noises: Float32Array[]; scale: number };
}

export interface KernelCheckResult {
  type: 'kernels-result';
  id: number;
  localBlend?: Float32Array;
  /** `[prompt][token]` tiles. */
  heatmaps?: Uint8ClampedArray[][];
  /** The latent after each step. */
  linearSteps?: Float32Array[];
}

export type ProbeEvent =
  | KernelCheckResult
  | { type: 'probe-result'; id: number; info: GpuInfo; output: Float32Array; inWorker: boolean; millis: number }
  | { type: 'probe-error'; id: number; code: 'no-webgpu' | 'kernel-failed'; message: string };
