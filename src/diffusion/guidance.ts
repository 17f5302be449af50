// Classifier-free guidance (Ho & Salimans 2022): ε̃ = ε_∅ + w·(ε_c − ε_∅), elementwise.
// Code → paper: `uncond` ε_θ(x_t, ∅), `cond` ε_θ(x_t, c), `scale` w. With a negative prompt, `uncond` is
// ε_θ(x_t, c_neg) (diffusers' `negative_prompt`): the same formula steers away from it.

export function guidance(uncond: Float32Array, cond: Float32Array, scale: number): Float32Array {
  if (uncond.length !== cond.length) {
    throw new Error(`guidance: unconditional and conditional predictions differ in size (${uncond.length} vs ${cond.length})`);
  }
  const out = new Float32Array(cond.length);
  for (let i = 0; i < out.length; i++) out[i] = uncond[i] + scale * (cond[i] - uncond[i]);
  return out;
}
