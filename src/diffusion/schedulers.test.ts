import { loadFixture } from '../../tests/helpers/fixtures';
import { describe, expect, it } from 'vitest';
import { createScheduler, type Scheduler, type SchedulerName } from './index';
import { divideInput } from './pipelineTensors';

interface Tensor {
  shape: number[];
  b64: string;
}
interface SchedulerCase {
  name: string;
  config: Record<string, unknown>;
  num_inference_steps: number;
  timesteps: number[];
  init_noise_sigma: number;
  trajectory: Tensor;
}
interface SchedulerFixture {
  x0: Tensor;
  c: Tensor;
  cases: SchedulerCase[];
}

const fixture = loadFixture<SchedulerFixture>('schedulers.json');

function decodeFloat32(tensor: Tensor): Float32Array {
  const bytes = Uint8Array.from(Buffer.from(tensor.b64, 'base64')); // copy: Buffer views may be unaligned
  return new Float32Array(bytes.buffer);
}

const x0 = decodeFloat32(fixture.x0);
const c = decodeFloat32(fixture.c);

/** Fixture case name prefix → our scheduler name. */
function schedulerNameOf(caseName: string): SchedulerName {
  const prefixes: [string, SchedulerName][] = [['pndm', 'pndm'], ['ddim', 'ddim'], ['euler', 'euler'], ['dpmpp2m', 'dpmpp-2m']];
  const match = prefixes.find(([prefix]) => caseName.startsWith(prefix));
  if (match === undefined) throw new Error(`no scheduler for fixture case ${caseName}`);
  return match[1];
}

/** The fixture's driver: ε(x, t) = 0.1·scale_model_input(x, t) + sin(t/100)·c; latents after every step. */
function runTrajectory(scheduler: Scheduler, steps: number): Float32Array[] {
  scheduler.setTimesteps(steps);
  let x: Float32Array = x0.map((value) => value * scheduler.initNoiseSigma);
  const latents: Float32Array[] = [];
  for (const t of scheduler.timesteps) {
    const scaled = divideInput(x, scheduler.modelInputDivisor(t));
    const wave = Math.sin(t / 100);
    const eps = scaled.map((value, i) => 0.1 * value + wave * c[i]);
    x = scheduler.step(eps, t, x);
    latents.push(x);
  }
  return latents;
}

/** Largest |actual − expected| relative to the largest |expected| of that step. */
function relativeError(actual: Float32Array, expected: Float32Array): number {
  let maxDiff = 0;
  let maxRef = 0;
  for (let i = 0; i < expected.length; i++) {
    maxDiff = Math.max(maxDiff, Math.abs(actual[i] - expected[i]));
    maxRef = Math.max(maxRef, Math.abs(expected[i]));
  }
  return maxDiff / maxRef;
}

describe.each(fixture.cases.map((fixtureCase) => [fixtureCase.name, fixtureCase] as const))('scheduler case %s', (_, fixtureCase) => {
  const name = schedulerNameOf(fixtureCase.name);
  const steps = fixtureCase.num_inference_steps;

  it('has the reference timesteps and initial noise scale', () => {
    const scheduler = createScheduler(name, fixtureCase.config);
    scheduler.setTimesteps(steps);
    expect(scheduler.timesteps).toEqual(fixtureCase.timesteps);
    expect(scheduler.initNoiseSigma).toBeCloseTo(fixtureCase.init_noise_sigma, 5);
  });

  it('follows the reference trajectory within 1e-4 relative', () => {
    const expected = decodeFloat32(fixtureCase.trajectory);
    const stepSize = x0.length;
    const latents = runTrajectory(createScheduler(name, fixtureCase.config), steps);
    expect(latents.length).toBe(fixtureCase.trajectory.shape[0]);
    latents.forEach((latent, k) => {
      const reference = expected.subarray(k * stepSize, (k + 1) * stepSize);
      expect(relativeError(latent, reference), `step ${k}`).toBeLessThan(1e-4);
    });
  });

  it('resets its state in setTimesteps (a second run gives the same trajectory)', () => {
    const scheduler = createScheduler(name, fixtureCase.config);
    const first = runTrajectory(scheduler, steps);
    runTrajectory(scheduler, Math.max(2, Math.floor(steps / 2))); // leave state from a different run
    const again = runTrajectory(scheduler, steps);
    expect(again).toEqual(first);
  });
});
