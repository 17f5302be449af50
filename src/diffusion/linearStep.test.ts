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

  it('DDIM with clip_sample has no linear plan but still steps', () => {
    const ddim = createScheduler('ddim', { num_train_timesteps: 1000, beta_schedule: 'scaled_linear', beta_start: 0.00085, beta_end: 0.012, clip_sample: true });
    ddim.setTimesteps(4);
    expect(ddim.linearPlan(ddim.timesteps[0])).toBeNull();
    const out = ddim.step(Float32Array.of(0.1, 5), ddim.timesteps[1], Float32Array.of(0.5, 40));
    expect(out.every(Number.isFinite)).toBe(true);
  });
});
