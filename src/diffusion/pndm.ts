// PNDM with PLMS steps only (Liu et al. 2022, "Pseudo Numerical Methods for Diffusion Models", eq. 9
// and 12), following diffusers' `PNDMScheduler` with `skip_prk_steps=True` as Stable Diffusion uses it.

import { readNoiseSchedule, type NoiseSchedule } from './betas';
import { ConfigReader, type SchedulerConfig } from './config';
import { readPredictionType, type PredictionType } from './prediction';
import type { Scheduler } from './scheduler';
import { TIMESTEP_SPACINGS, spacedTimesteps, type TimestepSpacing } from './spacing';

/** Linear multistep (Adams–Bashforth) weights for 1 … 4 past ε, newest first. */
const PLMS_WEIGHTS: readonly (readonly number[])[] = [[1], [3 / 2, -1 / 2], [23 / 12, -16 / 12, 5 / 12], [55 / 24, -59 / 24, 37 / 24, -9 / 24]];

export class PndmScheduler implements Scheduler {
  timesteps: number[] = [];
  initNoiseSigma = 1;
  private readonly schedule: NoiseSchedule;
  private readonly finalAlphaCumprod: number;
  private readonly spacing: TimestepSpacing;
  private readonly stepsOffset: number;
  private readonly prediction: PredictionType;
  private stride = 0;
  /** Past noise predictions ε, oldest first (at most 4). */
  private ets: Float32Array[] = [];
  private counter = 0;
  /** The latent at the first timestep, kept for the second (corrector) call. */
  private firstSample: Float32Array | null = null;

  constructor(config: SchedulerConfig) {
    const reader = new ConfigReader(config, 'pndm');
    this.schedule = readNoiseSchedule(reader);
    const setAlphaToOne = reader.boolean('set_alpha_to_one', false);
    this.finalAlphaCumprod = setAlphaToOne ? 1 : this.schedule.alphasCumprod[0];
    this.spacing = reader.choice('timestep_spacing', TIMESTEP_SPACINGS, 'leading');
    this.stepsOffset = reader.integer('steps_offset', 0, 0);
    this.prediction = readPredictionType(reader, ['epsilon', 'v_prediction']);
    reader.only('skip_prk_steps', true, false); // the Runge–Kutta warm-up is not implemented
    reader.finish();
  }

  setTimesteps(n: number): void {
    const total = this.schedule.numTrainTimesteps;
    const descending = spacedTimesteps({ spacing: this.spacing, numTrainTimesteps: total, count: n, stepsOffset: this.stepsOffset, roundLinspace: true });
    // PLMS order: the first timestep, then the second twice (predictor, then corrector from the same x), …
    this.timesteps = n === 1 ? descending : [descending[0], descending[1], ...descending.slice(1)];
    this.stride = Math.floor(total / n);
    this.ets = [];
    this.counter = 0;
    this.firstSample = null;
  }

  scaleModelInput(x: Float32Array): Float32Array {
    return x;
  }

  /**
   * Code → paper: `eps` ε_θ(x_t, t); the combined ε is e′_t (eq. 12, Adams–Bashforth of the last four);
   * `x` x_t; result x_{t−δ} from the transfer φ(x_t, e′_t, t, t−δ) of eq. 9.
   */
  step(eps: Float32Array, t: number, x: Float32Array): Float32Array {
    if (this.timesteps.length === 0) throw new Error('pndm: call setTimesteps before step');
    let from = t;
    let to = t - this.stride;
    let sample = x;
    let combined: Float32Array;
    if (this.counter === 1) {
      // Corrector: redo the first step from the first latent with the mean of both ε (a Heun step).
      to = t;
      from = t + this.stride;
      if (this.firstSample === null) throw new Error('pndm: internal state lost between the first two steps');
      sample = this.firstSample;
      this.firstSample = null;
      const first = this.ets[this.ets.length - 1];
      combined = eps.map((value, i) => (value + first[i]) / 2);
    } else {
      this.ets = [...this.ets.slice(-3), eps];
      if (this.counter === 0) this.firstSample = x;
      combined = this.multistepEps();
    }
    this.counter += 1;
    return this.transfer(sample, from, to, combined);
  }

  private multistepEps(): Float32Array {
    const weights = PLMS_WEIGHTS[this.ets.length - 1];
    const newestFirst = [...this.ets].reverse();
    const out = new Float32Array(newestFirst[0].length);
    for (let i = 0; i < out.length; i++) {
      let sum = 0;
      for (let k = 0; k < weights.length; k++) sum += weights[k] * newestFirst[k][i];
      out[i] = sum;
    }
    return out;
  }

  /** Eq. 9: x_{t−δ} = √(ᾱ_{t−δ}/ᾱ_t)·x_t − (ᾱ_{t−δ} − ᾱ_t)·e / (ᾱ_t√(1−ᾱ_{t−δ}) + √(ᾱ_t(1−ᾱ_t)ᾱ_{t−δ})). */
  private transfer(sample: Float32Array, from: number, to: number, modelOutput: Float32Array): Float32Array {
    const alphaProd = this.schedule.alphasCumprod[from];
    const alphaProdPrev = to >= 0 ? this.schedule.alphasCumprod[to] : this.finalAlphaCumprod;
    const betaProd = 1 - alphaProd;
    const betaProdPrev = 1 - alphaProdPrev;
    const sampleCoeff = Math.sqrt(alphaProdPrev / alphaProd);
    const denominator = alphaProd * Math.sqrt(betaProdPrev) + Math.sqrt(alphaProd * betaProd * alphaProdPrev);
    const outputCoeff = (alphaProdPrev - alphaProd) / denominator;
    const out = new Float32Array(sample.length);
    for (let i = 0; i < out.length; i++) {
      const e = this.prediction === 'v_prediction'
        ? Math.sqrt(alphaProd) * modelOutput[i] + Math.sqrt(betaProd) * sample[i]
        : modelOutput[i];
      out[i] = sampleCoeff * sample[i] - outputCoeff * e;
    }
    return out;
  }
}
