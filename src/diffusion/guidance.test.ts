import { describe, expect, it } from 'vitest';
import { guidance } from './guidance';

describe('guidance', () => {
  it('computes u + g·(c − u)', () => {
    const uncond = Float32Array.from([1, -2, 0.5]);
    const cond = Float32Array.from([3, -2, -0.5]);
    expect(Array.from(guidance(uncond, cond, 7.5))).toEqual([16, -2, -7]);
    expect(guidance(uncond, cond, 1)).toEqual(cond);
    expect(guidance(uncond, cond, 0)).toEqual(uncond);
  });

  it('rejects mismatched sizes', () => {
    expect(() => guidance(new Float32Array(2), new Float32Array(3), 7.5)).toThrow(/differ in size/);
  });
});
