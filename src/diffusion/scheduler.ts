// The sampler interface every scheduler implements (diffusers' `SchedulerMixin`: set_timesteps →
// timesteps → step), and the factory that builds one from a diffusers `scheduler_config.json` object.

import type { SchedulerConfig } from './config';
import type { LinearStepPlan } from './linearStep';
import { DdimScheduler } from './ddim';
import { DpmSolverMultistepScheduler } from './dpmSolverMultistep';
import { EulerScheduler } from './euler';
import { PndmScheduler } from './pndm';

export type { SchedulerConfig } from './config';

export interface Scheduler {
  /** Chooses the inference timesteps for `n` steps and clears all state from a previous run. */
  setTimesteps(n: number): void;
  /** One entry per denoiser call, in order (PNDM repeats one: n + 1 calls for n steps). */
  timesteps: number[];
  /** Scale for the initial N(0, I) latent. */
  initNoiseSigma: number;
  /**
   * diffusers' `scale_model_input` as a number: the denoiser sees `x / modelInputDivisor(t)` at timestep `t` (Euler:
   * √(σ² + 1); 1 for the others). Applied by `divideInput` on the CPU, by the sample kernel on the GPU.
   */
  modelInputDivisor(t: number): number;
  /** Given the denoiser output `eps` at timestep `t` for latent `x`, the latent for the next timestep. */
  step(eps: Float32Array, t: number, x: Float32Array): Float32Array;
  /**
   * The same update as data (linear in x, ε and kept buffers, with an optional clamp; see linearStep.ts),
   * advancing the scheduler exactly as `step` does — for runtimes that keep the tensors elsewhere (the GPU).
   * A run uses one or the other.
   */
  linearPlan(t: number): LinearStepPlan;
}

export type SchedulerName = 'pndm' | 'ddim' | 'euler' | 'dpmpp-2m';
export const SCHEDULER_NAMES: readonly SchedulerName[] = ['pndm', 'ddim', 'euler', 'dpmpp-2m'];

/** diffusers' scheduler classes → ours. */
const BY_CLASS: Record<string, SchedulerName> = {
  PNDMScheduler: 'pndm',
  DDIMScheduler: 'ddim',
  EulerDiscreteScheduler: 'euler',
  DPMSolverMultistepScheduler: 'dpmpp-2m',
};

/** The scheduler a model's config names (`_class_name`), else PNDM (Stable Diffusion's). */
export function defaultScheduler(config: SchedulerConfig | undefined): SchedulerName {
  const name = (config as { _class_name?: unknown } | undefined)?._class_name;
  return (typeof name === 'string' ? BY_CLASS[name] : undefined) ?? 'pndm';
}

/** Builds a scheduler; throws an Error naming the key for config values it does not support. */
export function createScheduler(name: SchedulerName, config: SchedulerConfig): Scheduler {
  switch (name) {
    case 'pndm':
      return new PndmScheduler(config);
    case 'ddim':
      return new DdimScheduler(config);
    case 'euler':
      return new EulerScheduler(config);
    case 'dpmpp-2m':
      return new DpmSolverMultistepScheduler(config);
    default: {
      const unknown: never = name;
      throw new Error(`unknown scheduler ${JSON.stringify(unknown)} (known: ${SCHEDULER_NAMES.join(', ')})`);
    }
  }
}
