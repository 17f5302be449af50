// Seeded standard-normal noise identical to `torch.randn(shape, generator=manual_seed(seed))` on CPU.
// Follows ATen's CPU `normal_kernel`: Box–Muller over blocks of 16 (size ≥ 16), or scalar Box–Muller.

import { Mt19937 } from './mt19937';

const FLOAT_MANTISSA_MASK = 0xffffff; // 24 bits: float32's digits
const TWO_POW_MINUS_24 = 2 ** -24;
const TWO_POW_MINUS_53 = 2 ** -53;
const TWO_POW_21 = 2 ** 21; // high word keeps 21 of the 53 bits of a double uniform
const BLOCK = 16;
const HALF_BLOCK = 8;
const TWO_PI_FLOAT = Math.fround(2 * Math.PI);
const f32 = Math.fround;

/** `at::uniform_real_distribution<float>(0, 1)`: 24 random bits of one 32-bit draw. */
function uniformFloat(engine: Mt19937): number {
  return (engine.nextUint32() & FLOAT_MANTISSA_MASK) * TWO_POW_MINUS_24;
}

/** `at::uniform_real_distribution<double>(0, 1)`: 53 bits of a 64-bit draw (first draw is the high word). */
function uniformDouble(engine: Mt19937): number {
  const high = engine.nextUint32() % TWO_POW_21;
  const low = engine.nextUint32();
  return (high * 4294967296 + low) * TWO_POW_MINUS_53;
}

/**
 * Box–Muller on 16 uniforms in place, in float32 like ATen's `normal_fill_16`:
 * u1 = 1 − data[j] (so log never sees 0), u2 = data[j + 8]; data[j] ← r·cos θ, data[j + 8] ← r·sin θ.
 */
function boxMullerBlock(data: Float32Array, start: number): void {
  for (let j = 0; j < HALF_BLOCK; j++) {
    const u1 = f32(1 - data[start + j]);
    const u2 = data[start + j + HALF_BLOCK];
    const radius = f32(Math.sqrt(f32(-2 * f32(Math.log(u1)))));
    const theta = f32(TWO_PI_FLOAT * u2); // float32 2π, as in the AVX2 kernel the fixture came from
    data[start + j] = radius * f32(Math.cos(theta));
    data[start + j + HALF_BLOCK] = radius * f32(Math.sin(theta));
  }
}

/** ATen `normal_fill`: all uniforms first, Box–Muller per block, then a redrawn last block if size % 16 ≠ 0. */
function fillVectorised(data: Float32Array, engine: Mt19937): void {
  const size = data.length;
  for (let i = 0; i < size; i++) data[i] = uniformFloat(engine);
  for (let start = 0; start + BLOCK <= size; start += BLOCK) boxMullerBlock(data, start);
  if (size % BLOCK !== 0) {
    const start = size - BLOCK;
    for (let i = 0; i < BLOCK; i++) data[start + i] = uniformFloat(engine);
    boxMullerBlock(data, start);
  }
}

/**
 * ATen `normal_distribution<double>` per element: one Box–Muller pair gives r·cos θ now and caches
 * r·sin θ for the next element (the cache lives on the generator, empty after manual_seed).
 */
function fillScalar(data: Float32Array, engine: Mt19937): void {
  let cached: number | null = null;
  for (let i = 0; i < data.length; i++) {
    if (cached !== null) {
      data[i] = cached;
      cached = null;
      continue;
    }
    const u1 = uniformDouble(engine);
    const u2 = uniformDouble(engine);
    const radius = Math.sqrt(-2 * Math.log1p(-u2));
    const theta = 2 * Math.PI * u1;
    cached = radius * Math.sin(theta);
    data[i] = radius * Math.cos(theta);
  }
}

/** `torch.randn(shape, generator=torch.Generator().manual_seed(seed))` on CPU, float32, row-major. */
export function torchRandn(seed: number, shape: number[]): Float32Array {
  const size = shape.reduce((product, dim) => {
    if (!Number.isInteger(dim) || dim < 0) throw new Error(`invalid dimension ${dim} in shape [${shape}]`);
    return product * dim;
  }, 1);
  const data = new Float32Array(size);
  const engine = new Mt19937(seed);
  if (size >= BLOCK) fillVectorised(data, engine);
  else fillScalar(data, engine);
  return data;
}
