import { describe, expect, it } from 'vitest';
import { readNoiseSchedule } from './betas';
import { ConfigReader } from './config';
import { createScheduler, type SchedulerName } from './index';

// No reference trajectories exist for v_prediction / sample, so check consistency instead: one step
// given the same prediction as ε, as v = α·ε − σ·x̂₀, or as x̂₀ must land on the same latent.
const config = { beta_start: 0.00085, beta_end: 0.012, beta_schedule: 'scaled_linear', steps_offset: 1, set_alpha_to_one: false, clip_sample: false, skip_prk_steps: true };
const size = 16;
const latent = Float32Array.from({ length: size }, (_, i) => Math.sin(i + 1));
const noise = Float32Array.from({ length: size }, (_, i) => Math.cos(3 * i));

function firstStep(name: SchedulerName, predictionType: string, toOutput: (t: number, x: Float32Array) => Float32Array): Float32Array {
  const scheduler = createScheduler(name, { ...config, prediction_type: predictionType });
  scheduler.setTimesteps(10);
  const t = scheduler.timesteps[0];
  const x = latent.map((value) => value * scheduler.initNoiseSigma);
  return scheduler.step(toOutput(t, x), t, x);
}

describe.each(['pndm', 'ddim', 'euler', 'dpmpp-2m'] as const)('%s prediction types', (name) => {
  const alphasCumprod = readNoiseSchedule(new ConfigReader(config, 'test')).alphasCumprod;
  /** x̂₀, with Euler's latent living in σ-space (x = x_vp / α). */
  const cleanSample = (t: number, x: Float32Array): Float32Array => {
    const alpha = Math.sqrt(alphasCumprod[t]);
    const sigma = Math.sqrt(1 - alphasCumprod[t]);
    const xVp = name === 'euler' ? x.map((value) => value * alpha) : x;
    return xVp.map((value, i) => (value - sigma * noise[i]) / alpha);
  };
  const velocity = (t: number, x: Float32Array): Float32Array => {
    const x0 = cleanSample(t, x);
    return noise.map((e, i) => Math.sqrt(alphasCumprod[t]) * e - Math.sqrt(1 - alphasCumprod[t]) * x0[i]);
  };
  const fromEpsilon = firstStep(name, 'epsilon', () => noise);

  it('v_prediction agrees with epsilon', () => {
    const fromVelocity = firstStep(name, 'v_prediction', velocity);
    fromVelocity.forEach((value, i) => expect(value).toBeCloseTo(fromEpsilon[i], 4));
  });

  it.runIf(name !== 'pndm')('sample agrees with epsilon', () => {
    const fromSample = firstStep(name, 'sample', cleanSample);
    fromSample.forEach((value, i) => expect(value).toBeCloseTo(fromEpsilon[i], 4));
  });
});
