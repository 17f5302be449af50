import { describe, expect, it } from 'vitest';
import { applyLinearStep, checkPlan, keep, type LinearStepPlan } from './linearStep';
import { createScheduler } from './scheduler';

describe('linear scheduler steps', () => {
  const x = Float32Array.of(1, 2, 3);
  const eps = Float32Array.of(10, 20, 30);

  it('evaluates outputs in order: a slot written earlier in the step is read by later outputs', () => {
    const slots = new Map<number, Float32Array>();
    const plan: LinearStepPlan = {
      outputs: [
        { target: 0, terms: [{ operand: 'x', coeff: 2 }, { operand: 'eps', coeff: 1 }] },
        { target: 'next', terms: [{ operand: 0, coeff: 0.5 }, { operand: 'x', coeff: -1 }] },
      ],
    };
    expect(Array.from(applyLinearStep(plan, x, eps, slots))).toEqual([5, 10, 15]);
    expect(Array.from(slots.get(0)!)).toEqual([12, 24, 36]);
    // The next step reads the kept slot.
    const next = applyLinearStep({ outputs: [keep(1, 0), { target: 'next', terms: [{ operand: 1, coeff: 1 }] }] }, x, eps, slots);
    expect(Array.from(next)).toEqual([12, 24, 36]);
  });

  it('rejects malformed plans and reads of empty slots', () => {
    expect(() => checkPlan({ outputs: [keep(0, 'x')] })).toThrow('exactly once');
    expect(() => checkPlan({ outputs: [{ target: 'next', terms: [{ operand: 7, coeff: 1 }] }] })).toThrow('slot 7 is outside');
    expect(() => applyLinearStep({ outputs: [{ target: 'next', terms: [{ operand: 2, coeff: 1 }] }] }, x, eps, new Map())).toThrow('reads slot 2 before');
  });

  it('clamps an output to ±clamp, and later outputs read the clamped slot', () => {
    const slots = new Map<number, Float32Array>();
    const plan = { outputs: [{ target: 0, terms: [{ operand: 'x' as const, coeff: 1 }], clamp: 2 }, { target: 'next' as const, terms: [{ operand: 0, coeff: 1 }, { operand: 'eps' as const, coeff: 1 }] }] };
    expect(Array.from(applyLinearStep(plan, Float32Array.of(-5, 1, 3), Float32Array.of(1, 1, 1), slots))).toEqual([-1, 2, 3]);
    expect(Array.from(slots.get(0)!)).toEqual([-2, 1, 2]);
    expect(() => checkPlan({ outputs: [{ target: 'next', terms: [{ operand: 'x', coeff: 1 }], clamp: 0 }] })).toThrow('clamp must be a positive number');
  });

  it('DDIM with clip_sample: its plan clamps the predicted x0 (eq. 12)', () => {
    const ddim = createScheduler('ddim', { num_train_timesteps: 1000, beta_schedule: 'scaled_linear', beta_start: 0.00085, beta_end: 0.012, clip_sample: true });
    ddim.setTimesteps(4);
    const [t, prev] = [ddim.timesteps[1], ddim.timesteps[2]];
    const plan = ddim.linearPlan(t);
    expect(plan.outputs.map((o) => [o.target, o.clamp])).toEqual([[0, 1], ['next', undefined]]);
    // ᾱ of the scaled-linear schedule, in float64 (the scheduler's float32 differs by ~1e-7).
    let prod = 1;
    const alphasCumprod = Array.from({ length: 1000 }, (_, i) => {
      const beta = (Math.sqrt(0.00085) + ((Math.sqrt(0.012) - Math.sqrt(0.00085)) * i) / 999) ** 2;
      return (prod *= 1 - beta);
    });
    const [a, ap] = [alphasCumprod[t], alphasCumprod[prev]];
    const x = Float32Array.of(0.5, 40, -3);
    const eps = Float32Array.of(0.1, 5, 0.2);
    const expected = Array.from(x, (xi, i) => {
      const x0 = Math.min(1, Math.max(-1, (xi - Math.sqrt(1 - a) * eps[i]) / Math.sqrt(a)));
      return Math.sqrt(ap) * x0 + Math.sqrt(1 - ap) * eps[i];
    });
    const out = ddim.step(eps, t, x);
    out.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 4));
    // The clamp was active for the large values.
    expect(Math.abs((x[1] - Math.sqrt(1 - a) * eps[1]) / Math.sqrt(a))).toBeGreaterThan(1);
  });
});
