// DPM-Solver++ multistep, data prediction, order 1–2 (Lu et al. 2022, "DPM-Solver++", Algorithm 2),
// following diffusers' `DPMSolverMultistepScheduler` with algorithm_type="dpmsolver++" ("DPM++ 2M").

import { interpolate, readNoiseSchedule, trainingSigmas, type NoiseSchedule } from './betas';
import { ConfigReader, type SchedulerConfig } from './config';
import { readPredictionType, type PredictionType } from './prediction';
import { applyLinearStep, type LinearOutput, type LinearStepPlan } from './linearStep';
import type { Scheduler } from './scheduler';
import { TIMESTEP_SPACINGS, numpyArange, numpyLinspace, roundHalfEven, stepIndexForTimestep, type TimestepSpacing } from './spacing';

/** α_t, σ_t and λ_t = log(α_t/σ_t) of the VP process for a Karras σ. */
function vpCoefficients(sigma: number): { alpha: number; sigma: number; lambda: number } {
  const alpha = 1 / Math.sqrt(sigma * sigma + 1);
  const sigmaVp = sigma * alpha;
  return { alpha, sigma: sigmaVp, lambda: Math.log(alpha) - Math.log(sigmaVp) };
}

export class DpmSolverMultistepScheduler implements Scheduler {
  timesteps: number[] = [];
  initNoiseSigma = 1;
  private readonly schedule: NoiseSchedule;
  private readonly trainSigmas: Float64Array;
  private readonly spacing: TimestepSpacing;
  private readonly stepsOffset: number;
  private readonly prediction: PredictionType;
  private readonly solverOrder: number;
  private readonly heun: boolean;
  private readonly lowerOrderFinal: boolean;
  private readonly eulerAtFinal: boolean;
  private readonly finalSigmaIsZero: boolean;
  private readonly lambdaMinClipped: number;
  private sigmas: number[] = [];
  private stepIndex: number | null = null;
  /** Data predictions x̂₀: step i keeps its own in slot i mod 2 (the previous one is in the other). */
  private slots = new Map<number, Float32Array>();
  private lowerOrderSteps = 0;

  constructor(config: SchedulerConfig) {
    const reader = new ConfigReader(config, 'dpmpp-2m');
    this.schedule = readNoiseSchedule(reader);
    this.trainSigmas = trainingSigmas(this.schedule);
    this.spacing = reader.choice('timestep_spacing', TIMESTEP_SPACINGS, 'linspace');
    this.stepsOffset = reader.integer('steps_offset', 0, 0);
    this.prediction = readPredictionType(reader, ['epsilon', 'v_prediction', 'sample']);
    this.solverOrder = reader.choice('solver_order', [1, 2], 2);
    reader.choice('algorithm_type', ['dpmsolver++'] as const, 'dpmsolver++');
    this.heun = reader.choice('solver_type', ['midpoint', 'heun'] as const, 'midpoint') === 'heun';
    this.lowerOrderFinal = reader.boolean('lower_order_final', true);
    this.eulerAtFinal = reader.boolean('euler_at_final', false);
    this.finalSigmaIsZero = reader.choice('final_sigmas_type', ['zero', 'sigma_min'] as const, 'zero') === 'zero';
    this.lambdaMinClipped = reader.number('lambda_min_clipped', -Infinity);
    reader.only('variance_type', null);
    reader.only('thresholding', false);
    for (const key of ['use_karras_sigmas', 'use_exponential_sigmas', 'use_beta_sigmas', 'use_lu_lambdas', 'use_flow_sigmas', 'use_dynamic_shifting']) {
      reader.only(key, false);
    }
    // Only read by thresholding, flow σ and dynamic shifting, which are off.
    reader.ignore('dynamic_thresholding_ratio', 'sample_max_value', 'flow_shift', 'time_shift_type', 'beta_sigmas_alpha', 'beta_sigmas_beta');
    reader.finish();
  }

  /** diffusers' timesteps: n + 1 points, dropping t = 0; λ below `lambda_min_clipped` is cut off. */
  private spacedTimesteps(n: number): number[] {
    const total = this.schedule.numTrainTimesteps;
    if (!Number.isInteger(n) || n < 1 || n > total) throw new Error(`number of inference steps must be an integer in [1, ${total}], got ${n}`);
    const clipped = this.trainSigmas.filter((s) => -Math.log(s) < this.lambdaMinClipped).length; // λ = −log σ
    const lastTimestep = total - clipped;
    if (this.spacing === 'linspace') {
      return numpyLinspace(0, lastTimestep - 1, n + 1).map(roundHalfEven).reverse().slice(0, n);
    }
    if (this.spacing === 'leading') {
      const ratio = Math.floor(lastTimestep / (n + 1));
      return Array.from({ length: n }, (_, i) => (n - i) * ratio + this.stepsOffset);
    }
    return numpyArange(lastTimestep, 0, -total / n).map((t) => roundHalfEven(t) - 1);
  }

  setTimesteps(n: number): void {
    this.timesteps = this.spacedTimesteps(n);
    const finalSigma = this.finalSigmaIsZero ? 0 : this.trainSigmas[0];
    this.sigmas = [...this.timesteps.map((t) => Math.fround(interpolate(this.trainSigmas, t))), finalSigma];
    this.stepIndex = null;
    this.slots = new Map();
    this.lowerOrderSteps = 0;
  }

  modelInputDivisor(): number {
    return 1;
  }

  /** The data prediction x̂₀ = a·x + b·output (for ε: (x − σ_t ε)/α_t) that DPM-Solver++ integrates. */
  private dataPrediction(sigma: number): [number, number] {
    const { alpha, sigma: sigmaVp } = vpCoefficients(sigma);
    if (this.prediction === 'sample') return [0, 1];
    if (this.prediction === 'epsilon') return [1 / alpha, -sigmaVp / alpha];
    return [alpha, -sigmaVp];
  }

  step(eps: Float32Array, t: number, x: Float32Array): Float32Array {
    return applyLinearStep(this.linearPlan(t), x, eps, this.slots);
  }

  /**
   * Code → paper (Algorithm 2): s0 = t_{i−1}, t = t_i, s1 = t_{i−2}; `h` h_i = λ_t − λ_{s0}, `r0` r_i =
   * h_{i−1}/h_i; D0 = x̂₀ at s0 (kept in slot i mod 2 for the next step), D1 = (D0 − x̂₀(s1))/r_i. First
   * order: x_t = (σ_t/σ_s0)x − α_t(e^{−h} − 1)D0; second order (midpoint) adds −½α_t(e^{−h} − 1)D1,
   * (heun) +α_t((e^{−h} − 1)/h + 1)D1.
   */
  linearPlan(t: number): LinearStepPlan {
    if (this.timesteps.length === 0) throw new Error('dpmpp-2m: call setTimesteps before step');
    if (this.stepIndex === null) this.stepIndex = stepIndexForTimestep(this.timesteps, t);
    const index = this.stepIndex;
    const count = this.timesteps.length;
    const isLast = index === count - 1;
    const finalFirstOrder = isLast && (this.eulerAtFinal || (this.lowerOrderFinal && count < 15) || this.finalSigmaIsZero);
    const [a, b] = this.dataPrediction(this.sigmas[index]);
    const d0 = index % 2;
    const outputs: LinearOutput[] = [{ target: d0, terms: [{ operand: 'x', coeff: a }, { operand: 'eps', coeff: b }] }];

    const target = vpCoefficients(this.sigmas[index + 1]);
    const current = vpCoefficients(this.sigmas[index]);
    const h = target.lambda - current.lambda;
    const sampleCoeff = target.sigma / current.sigma;
    const expm = target.alpha * (Math.exp(-h) - 1); // α_t(e^{−h} − 1)
    const useFirstOrder = this.solverOrder === 1 || this.lowerOrderSteps < 1 || finalFirstOrder;
    if (useFirstOrder) {
      outputs.push({ target: 'next', terms: [{ operand: 'x', coeff: sampleCoeff }, { operand: d0, coeff: -expm }] });
    } else {
      const previous = vpCoefficients(this.sigmas[index - 1]);
      const r0 = (current.lambda - previous.lambda) / h;
      const d1Coeff = this.heun ? -target.alpha * ((Math.exp(-h) - 1) / h + 1) : 0.5 * expm;
      // x − expm·D0 − d1Coeff·(D0 − D_older)/r0
      outputs.push({
        target: 'next',
        terms: [
          { operand: 'x', coeff: sampleCoeff },
          { operand: d0, coeff: -expm - d1Coeff / r0 },
          { operand: 1 - d0, coeff: d1Coeff / r0 },
        ],
      });
    }
    if (this.lowerOrderSteps < this.solverOrder) this.lowerOrderSteps += 1;
    this.stepIndex = index + 1;
    return { outputs };
  }
}
