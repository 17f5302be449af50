// Euler sampler of the probability-flow ODE in σ (Karras et al. 2022, "Elucidating the Design Space…",
// Algorithm 2 with S_churn = 0), following diffusers' `EulerDiscreteScheduler`.

import { interpolate, readNoiseSchedule, trainingSigmas, type NoiseSchedule } from './betas';
import { ConfigReader, type SchedulerConfig } from './config';
import { readPredictionType, type PredictionType } from './prediction';
import { applyLinearStep, type LinearStepPlan } from './linearStep';
import type { Scheduler } from './scheduler';
import { TIMESTEP_SPACINGS, spacedTimesteps, stepIndexForTimestep, type TimestepSpacing } from './spacing';

const f32 = Math.fround;

export class EulerScheduler implements Scheduler {
  timesteps: number[] = [];
  initNoiseSigma: number;
  private readonly schedule: NoiseSchedule;
  private readonly trainSigmas: Float64Array;
  private readonly spacing: TimestepSpacing;
  private readonly stepsOffset: number;
  private readonly prediction: PredictionType;
  private readonly finalSigmaIsZero: boolean;
  /** σ for each timestep plus the final σ (float32, as diffusers stores them). */
  private sigmas: number[] = [];
  private stepIndex: number | null = null;

  constructor(config: SchedulerConfig) {
    const reader = new ConfigReader(config, 'euler');
    this.schedule = readNoiseSchedule(reader);
    this.trainSigmas = trainingSigmas(this.schedule);
    this.spacing = reader.choice('timestep_spacing', TIMESTEP_SPACINGS, 'linspace');
    this.stepsOffset = reader.integer('steps_offset', 0, 0);
    this.prediction = readPredictionType(reader, ['epsilon', 'v_prediction', 'sample']);
    this.finalSigmaIsZero = reader.choice('final_sigmas_type', ['zero', 'sigma_min'] as const, 'zero') === 'zero';
    reader.choice('interpolation_type', ['linear'] as const, 'linear');
    reader.choice('timestep_type', ['discrete'] as const, 'discrete');
    for (const key of ['use_karras_sigmas', 'use_exponential_sigmas', 'use_beta_sigmas']) reader.only(key, false);
    reader.only('sigma_min', null); // only read by the Karras/exponential/beta σ schedules
    reader.only('sigma_max', null);
    reader.ignore('beta_sigmas_alpha', 'beta_sigmas_beta');
    reader.finish();
    const maxSigma = this.trainSigmas[this.trainSigmas.length - 1];
    this.initNoiseSigma = this.noiseScale(maxSigma);
  }

  /** diffusers' `init_noise_sigma`: σ_max for linspace/trailing spacing, else √(σ_max² + 1). */
  private noiseScale(maxSigma: number): number {
    return this.spacing === 'leading' ? f32(Math.sqrt(f32(f32(maxSigma * maxSigma) + 1))) : maxSigma;
  }

  setTimesteps(n: number): void {
    const timesteps = spacedTimesteps({ spacing: this.spacing, numTrainTimesteps: this.schedule.numTrainTimesteps, count: n, stepsOffset: this.stepsOffset, roundLinspace: false });
    const finalSigma = this.finalSigmaIsZero ? 0 : this.trainSigmas[0];
    this.timesteps = timesteps;
    this.sigmas = [...timesteps.map((t) => f32(interpolate(this.trainSigmas, t))), finalSigma];
    this.initNoiseSigma = this.noiseScale(Math.max(...this.sigmas));
    this.stepIndex = null;
  }

  private currentIndex(t: number): number {
    if (this.timesteps.length === 0) throw new Error('euler: call setTimesteps first');
    if (this.stepIndex === null) this.stepIndex = stepIndexForTimestep(this.timesteps, t);
    return this.stepIndex;
  }

  /** √(σ² + 1) in float32, as diffusers computes it: the denoiser was trained on inputs of unit variance. */
  modelInputDivisor(t: number): number {
    const sigma = this.sigmas[this.currentIndex(t)];
    return f32(Math.sqrt(f32(f32(sigma * sigma) + 1)));
  }

  step(eps: Float32Array, t: number, x: Float32Array): Float32Array {
    return applyLinearStep(this.linearPlan(t), x, eps, new Map());
  }

  /**
   * Code → paper (Algorithm 2, γ = 0): `sigma` σ_i = t̂_i, `dt` σ_{i+1} − σ_i; the denoised D_θ(x̂; σ)
   * (predicted x₀) = a·x̂ + b·output; d_i = (x̂ − D_θ)/σ; x_{i+1} = x̂ + dt·d_i, as one linear term each.
   */
  linearPlan(t: number): LinearStepPlan {
    const index = this.currentIndex(t);
    const sigma = this.sigmas[index];
    const dt = this.sigmas[index + 1] - sigma;
    const [a, b] =
      this.prediction === 'epsilon'
        ? [1, -sigma]
        : this.prediction === 'sample'
          ? [0, 1]
          : [1 / (sigma * sigma + 1), -sigma / Math.sqrt(sigma * sigma + 1)];
    this.stepIndex = index + 1;
    return { outputs: [{ target: 'next', terms: [{ operand: 'x', coeff: 1 + (dt * (1 - a)) / sigma }, { operand: 'eps', coeff: (-dt * b) / sigma }] }] };
  }
}
