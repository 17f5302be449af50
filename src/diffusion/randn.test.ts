import { loadFixture } from '../../tests/helpers/fixtures';
import { describe, expect, it } from 'vitest';
import { low32Bits } from './mt19937';
import { torchRandn } from './randn';

interface RandnCase {
  seed: number;
  shape: number[];
  b64: string;
}

const cases = loadFixture<{ cases: RandnCase[] }>('torch-randn.json').cases;

function decodeFloat32(b64: string): Float32Array {
  const bytes = Uint8Array.from(Buffer.from(b64, 'base64')); // copy: Buffer views may be unaligned
  return new Float32Array(bytes.buffer);
}

describe('torchRandn', () => {
  it.each(cases.map((c) => [`seed ${c.seed}, shape [${c.shape}]`, c] as const))('matches torch.randn for %s', (_, c) => {
    const expected = decodeFloat32(c.b64);
    const actual = torchRandn(c.seed, c.shape);
    expect(actual.length).toBe(expected.length);
    let maxError = 0;
    for (let i = 0; i < expected.length; i++) maxError = Math.max(maxError, Math.abs(actual[i] - expected[i]));
    expect(maxError).toBeLessThanOrEqual(1e-6);
  });

  it('keeps the low 32 bits of large and negative seeds, like manual_seed', () => {
    expect(low32Bits(2 ** 32 + 42)).toBe(42);
    expect(low32Bits(2 ** 53 - 1)).toBe(2 ** 32 - 1);
    expect(low32Bits(-1)).toBe(2 ** 32 - 1);
    expect(torchRandn(2 ** 40 + 7, [5])).toEqual(torchRandn(7, [5]));
  });

  it('rejects seeds that are not safe integers and bad shapes', () => {
    expect(() => torchRandn(0.5, [4])).toThrow(/seed/);
    expect(() => torchRandn(1, [2, -1])).toThrow(/dimension/);
  });
});
