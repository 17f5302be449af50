// Unit tests of the benchmark's summary statistics (no timing is measured or asserted here).
// Quantiles follow numpy's default (linear interpolation); ratios pair rounds.
import { describe, expect, it } from 'vitest';
import { cell, ratios, rotate, summarize, verdict } from './stats';

describe('bench stats', () => {
  it('summarises median, quartiles and range, ignoring non-finite values', () => {
    const s = summarize([4, 1, 3, 2, Number.NaN]);
    expect(s).toEqual({ n: 4, median: 2.5, q1: 1.75, q3: 3.25, min: 1, max: 4 });
    expect(summarize([]).n).toBe(0);
    expect(cell(summarize([]))).toBe('not measured');
  });

  it('pairs ratios by round and judges a goal on the median', () => {
    expect(ratios([2, 3, 4], [1, 3])).toEqual([2, 1]);
    expect(verdict(summarize([1.0, 1.02, 1.2]), 1.05)).toMatch(/^met/);
    expect(verdict(summarize([1.1, 1.2]), 1.05)).toMatch(/missed/);
  });

  it('rotates the order of variants per round', () => {
    expect(rotate(['a', 'b', 'c'], 0)).toEqual(['a', 'b', 'c']);
    expect(rotate(['a', 'b', 'c'], 4)).toEqual(['b', 'c', 'a']);
  });
});
