// float16 conversion against values numpy's float16 gives (round-to-nearest-even, subnormals, limits).

import { describe, expect, it } from 'vitest';
import { fromHalf, fromHalfBits, toHalf, toHalfBits } from './float16';

describe('float16', () => {
  it('matches IEEE half precision at the edges', () => {
    // np.float16(x).view(np.uint16) for each x
    const cases: [number, number][] = [
      [0, 0x0000],
      [-0, 0x8000],
      [1, 0x3c00],
      [-2, 0xc000],
      [65504, 0x7bff],
      [65520, 0x7c00], // rounds up to Inf
      [1e6, 0x7c00],
      [2 ** -14, 0x0400], // smallest normal
      [2 ** -24, 0x0001], // smallest subnormal
      [2 ** -25, 0x0000], // ties to even → 0
      [3 * 2 ** -25, 0x0002], // tie → even (2)
      [1 + 2 ** -11, 0x3c00], // tie between 1 and 1+2^-10 → even (1)
      [1 + 3 * 2 ** -11, 0x3c02], // tie → even
      [0.1, 0x2e66],
      [Number.POSITIVE_INFINITY, 0x7c00],
    ];
    for (const [x, bits] of cases) expect(toHalfBits(x), `${x}`).toBe(bits);
    expect(Number.isNaN(fromHalfBits(toHalfBits(Number.NaN)))).toBe(true);
  });

  it('round-trips every finite half value', () => {
    for (let b = 0; b < 0x10000; b++) {
      if ((b & 0x7c00) === 0x7c00) continue;
      expect(toHalfBits(fromHalfBits(b))).toBe(b === 0x8000 ? 0x8000 : b);
    }
    const x = Float32Array.of(0.5, -1.25, 3.14159, 1000);
    expect(Array.from(fromHalf(toHalf(x)))).toEqual([0.5, -1.25, 3.140625, 1000]);
  });
});
