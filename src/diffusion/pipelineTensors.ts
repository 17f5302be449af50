// Batch bookkeeping of the generation loop: repeating one latent over prompts, stacking the
// [uncond, cond] groups, splitting predictions, and the reference `latent2image` to RGBA.

/** `[n, ...]` made of `n` copies of `item` (torch `expand` / `cat([x] * n)`). */
export function repeatBatch(item: Float32Array, n: number): Float32Array {
  const out = new Float32Array(item.length * n);
  for (let i = 0; i < n; i++) out.set(item, i * item.length);
  return out;
}

/** `torch.cat(parts)` along the batch axis. */
export function concatBatch(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/** `x.chunk(2)`: the unconditional and conditional halves (views, not copies). */
export function splitHalves(x: Float32Array): [Float32Array, Float32Array] {
  const half = x.length / 2;
  if (!Number.isInteger(half)) throw new Error(`cannot split ${x.length} values into two groups`);
  return [x.subarray(0, half), x.subarray(half)];
}

/** `x · s` elementwise into a new array, `s` rounded to float32 first as torch does for a Python scalar. */
export function scaled(x: Float32Array, s: number): Float32Array {
  const f = Math.fround(s);
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = x[i] * f;
  return out;
}

/** `x / divisor` elementwise (the denoiser's input, `Scheduler.modelInputDivisor`); `x` itself when the divisor is 1. */
export function divideInput(x: Float32Array, divisor: number): Float32Array {
  return divisor === 1 ? x : x.map((value) => value / divisor);
}

/** `acc += x`, allocating `acc` on first use. */
export function accumulate(acc: Float32Array | null, x: Float32Array): Float32Array {
  if (!acc) return x.slice();
  if (acc.length !== x.length) throw new Error(`accumulated map changed size (${acc.length} → ${x.length})`);
  for (let i = 0; i < x.length; i++) acc[i] += x[i];
  return acc;
}

/**
 * The reference `latent2image` after the VAE: `(x / 2 + 0.5).clamp(0, 1)`, HWC, `(· 255).astype(uint8)`
 * (truncation, not rounding), here as opaque RGBA per image. `images` is `[B, 3, H, W]`.
 */
export function toRgba(images: Float32Array, dims: [number, number, number, number]): Uint8ClampedArray[] {
  const [batch, channels, height, width] = dims;
  if (channels !== 3) throw new Error(`the VAE decoder returned ${channels} channels, expected 3`);
  if (images.length !== batch * channels * height * width) throw new Error('decoded images do not match their dims');
  const plane = height * width;
  const out: Uint8ClampedArray[] = [];
  for (let b = 0; b < batch; b++) {
    const rgba = new Uint8ClampedArray(plane * 4);
    for (let c = 0; c < 3; c++) {
      const base = (b * 3 + c) * plane;
      for (let i = 0; i < plane; i++) {
        const v = Math.min(Math.max(Math.fround(Math.fround(images[base + i] / 2) + 0.5), 0), 1);
        rgba[i * 4 + c] = Math.trunc(Math.fround(v * 255));
      }
    }
    for (let i = 0; i < plane; i++) rgba[i * 4 + 3] = 255;
    out.push(rgba);
  }
  return out;
}

/** Side `R` of square maps from a `[P, R·R, tokens]` buffer. */
export function mapSide(length: number, prompts: number, tokens: number): number {
  const side = Math.round(Math.sqrt(length / (prompts * tokens)));
  if (side * side * prompts * tokens !== length) {
    throw new Error(`p2p_attn has ${length} values, not [${prompts}, R·R, ${tokens}]`);
  }
  return side;
}
