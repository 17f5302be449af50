// A scheduler update written as data: every sampler here (PNDM/PLMS, DDIM η = 0, Euler, DPM-Solver++ 2M)
// moves the latent by a linear combination of the current latent x, the guided model output ε and a
// few buffers kept from earlier steps; an output may be clamped elementwise (DDIM's `clip_sample` of x̂₀). Each scheduler returns its step as a `LinearStepPlan`; this
// module runs it on the CPU (`applyLinearStep`, the twin of the WGSL kernel `linearStep.wgsl`), so the
// CPU and GPU paths share one description of the math.

/** What a term reads: the current latent, the guided model output, or kept slot `n`. */
export type Operand = 'x' | 'eps' | number;

export interface LinearTerm {
  operand: Operand;
  coeff: number;
}

/** One buffer the step writes: the next latent, or a slot kept for later steps. */
export interface LinearOutput {
  target: 'next' | number;
  terms: LinearTerm[];
  /** Clamp the result to [−clamp, clamp] (DDIM's `clip_sample_range`); absent: no clamp. */
  clamp?: number;
}

/**
 * Outputs are evaluated in order; a later output reading a slot sees what an earlier output of the
 * same step wrote there. Exactly one output targets `next`.
 */
export interface LinearStepPlan {
  outputs: LinearOutput[];
}

/** The slots a plan may use: `MAX_SLOTS` buffers of the latent's size. */
export const MAX_SLOTS = 5;
/** Terms per output the WGSL kernel accepts. */
export const MAX_TERMS = 6;

export function checkPlan(plan: LinearStepPlan): void {
  if (plan.outputs.filter((o) => o.target === 'next').length !== 1) throw new Error('a linear step plan writes the next latent exactly once');
  for (const out of plan.outputs) {
    if (out.clamp !== undefined && !(out.clamp > 0 && Number.isFinite(out.clamp))) throw new Error(`a linear step clamp must be a positive number, got ${out.clamp}`);
    if (out.terms.length === 0 || out.terms.length > MAX_TERMS) throw new Error(`a linear step output has ${out.terms.length} terms (1…${MAX_TERMS})`);
    for (const slot of [out.target, ...out.terms.map((t) => t.operand)]) {
      if (typeof slot === 'number' && !(Number.isInteger(slot) && slot >= 0 && slot < MAX_SLOTS)) throw new Error(`slot ${slot} is outside 0…${MAX_SLOTS - 1}`);
    }
  }
}

/** Runs a plan: returns the next latent and writes kept slots into `slots` (created on first write). */
export function applyLinearStep(plan: LinearStepPlan, x: Float32Array, eps: Float32Array, slots: Map<number, Float32Array>): Float32Array {
  checkPlan(plan);
  if (eps.length !== x.length) throw new Error(`model output has ${eps.length} values, the latent ${x.length}`);
  let next: Float32Array | undefined;
  for (const { target, terms, clamp } of plan.outputs) {
    const sources = terms.map(({ operand }) => {
      if (operand === 'x') return x;
      if (operand === 'eps') return eps;
      const slot = slots.get(operand);
      if (!slot) throw new Error(`linear step reads slot ${operand} before anything was kept there`);
      return slot;
    });
    const out = new Float32Array(x.length);
    for (let i = 0; i < out.length; i++) {
      let sum = 0;
      for (let k = 0; k < terms.length; k++) sum += terms[k].coeff * sources[k][i];
      out[i] = clamp === undefined ? sum : Math.min(clamp, Math.max(-clamp, sum));
    }
    if (target === 'next') next = out;
    else slots.set(target, out);
  }
  return next!;
}

/** `to ← from` (a plain copy, kept for a later step). */
export function keep(to: number, from: Operand): LinearOutput {
  return { target: to, terms: [{ operand: from, coeff: 1 }] };
}
