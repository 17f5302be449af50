// Mersenne Twister MT19937 (Matsumoto & Nishimura 1998), the engine behind PyTorch's CPU generator.
// Seeded like `at::mt19937(seed)`: only the low 32 bits of the seed are used.

const STATE_SIZE = 624;
const SHIFT_SIZE = 397;
const MATRIX_A = 0x9908b0df;
const UPPER_MASK = 0x80000000;
const LOWER_MASK = 0x7fffffff;
const TWO_POW_32 = 4294967296;

/** The low 32 bits of an integer seed (two's complement for negatives), as torch's manual_seed keeps. */
export function low32Bits(seed: number): number {
  if (!Number.isSafeInteger(seed)) {
    throw new Error(`seed must be a safe integer, got ${seed}`);
  }
  const low = seed % TWO_POW_32;
  return low < 0 ? low + TWO_POW_32 : low;
}

export class Mt19937 {
  private readonly state = new Uint32Array(STATE_SIZE);
  private index = STATE_SIZE;

  constructor(seed: number) {
    const state = this.state;
    state[0] = low32Bits(seed);
    for (let i = 1; i < STATE_SIZE; i++) {
      const previous = state[i - 1];
      state[i] = (Math.imul(1812433253, previous ^ (previous >>> 30)) + i) >>> 0;
    }
  }

  /** Next 32-bit output, as an unsigned integer. */
  nextUint32(): number {
    if (this.index >= STATE_SIZE) this.twist();
    let y = this.state[this.index++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  private twist(): void {
    const state = this.state;
    for (let i = 0; i < STATE_SIZE; i++) {
      const y = (state[i] & UPPER_MASK) | (state[(i + 1) % STATE_SIZE] & LOWER_MASK);
      const mixed = state[(i + SHIFT_SIZE) % STATE_SIZE] ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
      state[i] = mixed >>> 0;
    }
    this.index = 0;
  }
}
