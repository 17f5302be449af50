// PNDM with PLMS steps only (Liu et al. 2022, "Pseudo Numerical Methods for Diffusion Models", eq. 9
// and 12), following diffusers' `PNDMScheduler` with `skip_prk_steps=True` as Stable Diffusion uses it.

import { readNoiseSchedule, type NoiseSchedule } from './betas';
import { ConfigReader, type SchedulerConfig } from './config';
import { readPredictionType, type PredictionType } from './prediction';
import { applyLinearStep, keep, type LinearOutput, type LinearStepPlan, type LinearTerm, type Operand } from './linearStep';
import type { Scheduler } from './scheduler';
import { TIMESTEP_SPACINGS, spacedTimesteps, type TimestepSpacing } from './spacing';

/** Linear multistep (Adams–Bashforth) weights for 1 … 4 past ε, newest first. */
const PLMS_WEIGHTS: readonly (readonly number[])[] = [[1], [3 / 2, -1 / 2], [23 / 12, -16 / 12, 5 / 12], [55 / 24, -59 / 24, 37 / 24, -9 / 24]];
/** The slot holding the first latent for the corrector step. */
const FIRST_SAMPLE = 4;

export class PndmScheduler implements Scheduler {
  timesteps: number[] = [];
  initNoiseSigma = 1;
  private readonly schedule: NoiseSchedule;
  private readonly finalAlphaCumprod: number;
  private readonly spacing: TimestepSpacing;
  private readonly stepsOffset: number;
  private readonly prediction: PredictionType;
  private stride = 0;
  /** Kept buffers: past ε in slots 0–3, the first latent in slot 4. */
  private slots = new Map<number, Float32Array>();
  /** How many ε were kept so far. */
  private kept = 0;
  private counter = 0;

  constructor(config: SchedulerConfig) {
    const reader = new ConfigReader(config, 'pndm');
    this.schedule = readNoiseSchedule(reader);
    const setAlphaToOne = reader.boolean('set_alpha_to_one', false);
    this.finalAlphaCumprod = setAlphaToOne ? 1 : this.schedule.alphasCumprod[0];
    this.spacing = reader.choice('timestep_spacing', TIMESTEP_SPACINGS, 'leading');
    this.stepsOffset = reader.integer('steps_offset', 0, 0);
    this.prediction = readPredictionType(reader, ['epsilon', 'v_prediction']);
    // The Runge–Kutta warm-up is not implemented. A config written for another scheduler (LDM text2im ships DDIM's)
    // says nothing of it: PLMS then, as CompVis' own txt2img --plms samples.
    const className = (config as { _class_name?: unknown })._class_name;
    const foreign = typeof className === 'string' && className !== 'PNDMScheduler';
    reader.only('skip_prk_steps', true, foreign);
    reader.finish();
  }

  setTimesteps(n: number): void {
    const total = this.schedule.numTrainTimesteps;
    const descending = spacedTimesteps({ spacing: this.spacing, numTrainTimesteps: total, count: n, stepsOffset: this.stepsOffset, roundLinspace: true });
    // PLMS order: the first timestep, then the second twice (predictor, then corrector from the same x), …
    this.timesteps = n === 1 ? descending : [descending[0], descending[1], ...descending.slice(1)];
    this.stride = Math.floor(total / n);
    this.slots = new Map();
    this.kept = 0;
    this.counter = 0;
  }

  modelInputDivisor(): number {
    return 1;
  }

  step(eps: Float32Array, t: number, x: Float32Array): Float32Array {
    return applyLinearStep(this.linearPlan(t), x, eps, this.slots);
  }

  /**
   * Code → paper: ε_θ(x_t, t) is the `eps` operand; the combined ε is e′_t (eq. 12, Adams–Bashforth of
   * the last four); x_{t−δ} = φ(x_t, e′_t, t, t−δ) of eq. 9. Slots 0–3 hold past ε (a ring indexed by
   * how many were kept), slot 4 the first latent for the corrector.
   */
  linearPlan(t: number): LinearStepPlan {
    if (this.timesteps.length === 0) throw new Error('pndm: call setTimesteps before step');
    const outputs: LinearOutput[] = [];
    let update: { from: number; to: number; sample: Operand; eps: LinearTerm[] };
    if (this.counter === 1) {
      // Corrector: redo the first step from the first latent with the mean of both ε (a Heun step).
      update = { from: t + this.stride, to: t, sample: FIRST_SAMPLE, eps: [{ operand: 'eps', coeff: 0.5 }, { operand: this.epsSlot(this.kept - 1), coeff: 0.5 }] };
    } else {
      const weights = PLMS_WEIGHTS[Math.min(this.kept, 3)];
      const eps: LinearTerm[] = weights.map((coeff, k) => ({ operand: k === 0 ? 'eps' : this.epsSlot(this.kept - k), coeff }));
      outputs.push(keep(this.epsSlot(this.kept), 'eps'));
      if (this.counter === 0) outputs.push(keep(FIRST_SAMPLE, 'x'));
      this.kept += 1;
      update = { from: t, to: t - this.stride, sample: 'x', eps };
    }
    this.counter += 1;
    outputs.push({ target: 'next', terms: this.transfer(update.from, update.to, update.sample, update.eps) });
    return { outputs };
  }

  private epsSlot(n: number): number {
    return n % 4;
  }

  /**
   * Eq. 9: x_{t−δ} = √(ᾱ_{t−δ}/ᾱ_t)·x_t − (ᾱ_{t−δ} − ᾱ_t)·e / (ᾱ_t√(1−ᾱ_{t−δ}) + √(ᾱ_t(1−ᾱ_t)ᾱ_{t−δ})),
   * with e = the combined ε (or √ᾱ_t·v + √(1−ᾱ_t)·x_t for v-prediction), as terms.
   */
  private transfer(from: number, to: number, sample: Operand, eps: LinearTerm[]): LinearTerm[] {
    const alphaProd = this.schedule.alphasCumprod[from];
    const alphaProdPrev = to >= 0 ? this.schedule.alphasCumprod[to] : this.finalAlphaCumprod;
    const betaProd = 1 - alphaProd;
    const betaProdPrev = 1 - alphaProdPrev;
    const sampleCoeff = Math.sqrt(alphaProdPrev / alphaProd);
    const denominator = alphaProd * Math.sqrt(betaProdPrev) + Math.sqrt(alphaProd * betaProd * alphaProdPrev);
    const outputCoeff = (alphaProdPrev - alphaProd) / denominator;
    const v = this.prediction === 'v_prediction';
    return [
      { operand: sample, coeff: v ? sampleCoeff - outputCoeff * Math.sqrt(betaProd) : sampleCoeff },
      ...eps.map(({ operand, coeff }) => ({ operand, coeff: -outputCoeff * coeff * (v ? Math.sqrt(alphaProd) : 1) })),
    ];
  }
}
