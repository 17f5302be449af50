// DDIM, deterministic (η = 0) (Song et al. 2021, "Denoising Diffusion Implicit Models", eq. 12),
// following diffusers' `DDIMScheduler`.

import { readNoiseSchedule, type NoiseSchedule } from './betas';
import { ConfigReader, type SchedulerConfig } from './config';
import { readPredictionType, type PredictionType } from './prediction';
import type { Scheduler } from './scheduler';
import { TIMESTEP_SPACINGS, spacedTimesteps, type TimestepSpacing } from './spacing';

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

  scaleModelInput(x: Float32Array): Float32Array {
    return x;
  }

  /**
   * Code → paper (eq. 12, σ_t = 0): `alphaProd` α_t, `alphaProdPrev` α_{t−1} (cumulative ᾱ in DDPM's
   * notation); `predOriginal` the "predicted x₀" term; `predEpsilon` ε_θ(x_t); result x_{t−1} =
   * √α_{t−1}·x̂₀ + √(1 − α_{t−1})·ε_θ.
   */
  step(eps: Float32Array, t: number, x: Float32Array): Float32Array {
    if (this.timesteps.length === 0) throw new Error('ddim: call setTimesteps before step');
    const prevT = t - this.stride;
    const alphaProd = this.schedule.alphasCumprod[t];
    const alphaProdPrev = prevT >= 0 ? this.schedule.alphasCumprod[prevT] : this.finalAlphaCumprod;
    const sqrtAlpha = Math.sqrt(alphaProd);
    const sqrtBeta = Math.sqrt(1 - alphaProd);
    const sqrtAlphaPrev = Math.sqrt(alphaProdPrev);
    const directionCoeff = Math.sqrt(1 - alphaProdPrev);
    const out = new Float32Array(x.length);
    for (let i = 0; i < out.length; i++) {
      let predOriginal: number;
      let predEpsilon: number;
      if (this.prediction === 'epsilon') {
        predOriginal = (x[i] - sqrtBeta * eps[i]) / sqrtAlpha;
        predEpsilon = eps[i];
      } else if (this.prediction === 'sample') {
        predOriginal = eps[i];
        predEpsilon = (x[i] - sqrtAlpha * predOriginal) / sqrtBeta;
      } else {
        predOriginal = sqrtAlpha * x[i] - sqrtBeta * eps[i];
        predEpsilon = sqrtAlpha * eps[i] + sqrtBeta * x[i];
      }
      if (this.clipRange !== null) {
        predOriginal = Math.min(this.clipRange, Math.max(-this.clipRange, predOriginal));
      }
      out[i] = sqrtAlphaPrev * predOriginal + directionCoeff * predEpsilon;
    }
    return out;
  }
}
