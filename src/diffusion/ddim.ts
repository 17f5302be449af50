// DDIM, deterministic (η = 0) (Song et al. 2021, "Denoising Diffusion Implicit Models", eq. 12),
// following diffusers' `DDIMScheduler`.

import { readNoiseSchedule, type NoiseSchedule } from './betas';
import { ConfigReader, type SchedulerConfig } from './config';
import { readPredictionType, type PredictionType } from './prediction';
import { applyLinearStep, type LinearStepPlan } from './linearStep';
import type { Scheduler } from './scheduler';
import { TIMESTEP_SPACINGS, spacedTimesteps, type TimestepSpacing } from './spacing';

/** The slot holding the clamped x̂₀ within a clip_sample step. */
const CLIPPED_X0 = 0;

export class DdimScheduler implements Scheduler {
  timesteps: number[] = [];
  initNoiseSigma = 1;
  private readonly schedule: NoiseSchedule;
  private readonly finalAlphaCumprod: number;
  private readonly spacing: TimestepSpacing;
  private readonly stepsOffset: number;
  private readonly prediction: PredictionType;
  /** `clip_sample`: clamp the predicted x₀ to ±range. */
  private readonly clipRange: number | null;
  private stride = 0;

  constructor(config: SchedulerConfig) {
    const reader = new ConfigReader(config, 'ddim');
    this.schedule = readNoiseSchedule(reader);
    const setAlphaToOne = reader.boolean('set_alpha_to_one', true);
    this.finalAlphaCumprod = setAlphaToOne ? 1 : this.schedule.alphasCumprod[0];
    this.spacing = reader.choice('timestep_spacing', TIMESTEP_SPACINGS, 'leading');
    this.stepsOffset = reader.integer('steps_offset', 0, 0);
    this.prediction = readPredictionType(reader, ['epsilon', 'v_prediction', 'sample']);
    const clip = reader.boolean('clip_sample', true);
    const clipRange = reader.number('clip_sample_range', 1);
    this.clipRange = clip ? clipRange : null;
    reader.only('thresholding', false);
    reader.ignore('dynamic_thresholding_ratio', 'sample_max_value'); // only used with thresholding
    reader.finish();
  }

  setTimesteps(n: number): void {
    const total = this.schedule.numTrainTimesteps;
    this.timesteps = spacedTimesteps({ spacing: this.spacing, numTrainTimesteps: total, count: n, stepsOffset: this.stepsOffset, roundLinspace: true });
    this.stride = Math.floor(total / n);
  }

  modelInputDivisor(): number {
    return 1;
  }

  /**
   * Code → paper (eq. 12, σ_t = 0): `alphaProd` α_t, `alphaProdPrev` α_{t−1} (cumulative ᾱ in DDPM's
   * notation); `predOriginal` the "predicted x₀" term; `predEpsilon` ε_θ(x_t); result x_{t−1} =
   * √α_{t−1}·x̂₀ + √(1 − α_{t−1})·ε_θ.
   */
  step(eps: Float32Array, t: number, x: Float32Array): Float32Array {
    return applyLinearStep(this.linearPlan(t), x, eps, new Map());
  }

  /**
   * DDIM inversion's step (η = 0, run backwards; Song et al. 2021 §4.3): from x at the timestep before `t` in
   * sampling order (t − stride, ᾱ_final before the first) up to x_t, with ε_θ evaluated at t:
   * x̂₀ = (x − √(1 − ᾱ_prev)·ε) / √ᾱ_prev, x_t = √ᾱ_t·x̂₀ + √(1 − ᾱ_t)·ε. Epsilon-prediction models only.
   */
  inverseStep(eps: Float32Array, t: number, x: Float32Array): Float32Array {
    if (this.timesteps.length === 0) throw new Error('ddim: call setTimesteps before inverseStep');
    if (this.prediction !== 'epsilon') throw new Error(`ddim: inversion needs an epsilon-prediction model, this one predicts ${this.prediction}`);
    const prevT = t - this.stride;
    const alphaPrev = prevT >= 0 ? this.schedule.alphasCumprod[prevT] : this.finalAlphaCumprod;
    const alpha = this.schedule.alphasCumprod[t];
    const a = Math.sqrt(alpha / alphaPrev);
    const b = Math.sqrt(1 - alpha) - Math.sqrt(alpha) * Math.sqrt(1 - alphaPrev) / Math.sqrt(alphaPrev);
    const out = new Float32Array(x.length);
    for (let i = 0; i < x.length; i++) out[i] = a * x[i] + b * eps[i];
    return out;
  }

  /**
   * The update as a linear plan. With clip_sample, x̂₀ is kept (clamped) in slot 0 and the next latent is
   * √α_{t−1}·x̂₀ + √(1 − α_{t−1})·ε_θ from it; without, x̂₀ folds into one output.
   */
  linearPlan(t: number): LinearStepPlan {
    const c = this.coefficients(t);
    if (this.clipRange !== null) {
      return {
        outputs: [
          { target: CLIPPED_X0, terms: [{ operand: 'x', coeff: c.x0.x }, { operand: 'eps', coeff: c.x0.eps }], clamp: this.clipRange },
          {
            target: 'next',
            terms: [
              { operand: CLIPPED_X0, coeff: c.alphaPrev },
              { operand: 'x', coeff: c.direction * c.e.x },
              { operand: 'eps', coeff: c.direction * c.e.eps },
            ],
          },
        ],
      };
    }
    return {
      outputs: [
        {
          target: 'next',
          terms: [
            { operand: 'x', coeff: c.alphaPrev * c.x0.x + c.direction * c.e.x },
            { operand: 'eps', coeff: c.alphaPrev * c.x0.eps + c.direction * c.e.eps },
          ],
        },
      ],
    };
  }

  /**
   * Code → paper (eq. 12, σ_t = 0): α_t, α_{t−1} are cumulative ᾱ in DDPM's notation; the predicted x₀
   * (`x0`) and ε_θ (`e`) as linear functions of x_t and the model output; x_{t−1} = √α_{t−1}·x̂₀ +
   * √(1 − α_{t−1})·ε_θ.
   */
  private coefficients(t: number): { x0: Linear; e: Linear; alphaPrev: number; direction: number } {
    if (this.timesteps.length === 0) throw new Error('ddim: call setTimesteps before step');
    const prevT = t - this.stride;
    const alphaProd = this.schedule.alphasCumprod[t];
    const alphaProdPrev = prevT >= 0 ? this.schedule.alphasCumprod[prevT] : this.finalAlphaCumprod;
    const sqrtAlpha = Math.sqrt(alphaProd);
    const sqrtBeta = Math.sqrt(1 - alphaProd);
    const [x0, e]: [Linear, Linear] =
      this.prediction === 'epsilon'
        ? [{ x: 1 / sqrtAlpha, eps: -sqrtBeta / sqrtAlpha }, { x: 0, eps: 1 }]
        : this.prediction === 'sample'
          ? [{ x: 0, eps: 1 }, { x: 1 / sqrtBeta, eps: -sqrtAlpha / sqrtBeta }]
          : [{ x: sqrtAlpha, eps: -sqrtBeta }, { x: sqrtBeta, eps: sqrtAlpha }];
    return { x0, e, alphaPrev: Math.sqrt(alphaProdPrev), direction: Math.sqrt(1 - alphaProdPrev) };
  }
}

/** `a·x + b·model output`. */
interface Linear {
  x: number;
  eps: number;
}
