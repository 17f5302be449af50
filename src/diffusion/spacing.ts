// Inference timestep selection ("timestep_spacing" of diffusers; Lin et al. 2023, Table 2): which
// training timesteps t ∈ [0, T) an n-step sampler visits, as numpy computes them in diffusers.

export type TimestepSpacing = 'leading' | 'trailing' | 'linspace';
export const TIMESTEP_SPACINGS: readonly TimestepSpacing[] = ['leading', 'trailing', 'linspace'];

/** numpy's `round`: halves go to the even neighbour. */
export function roundHalfEven(x: number): number {
  const floor = Math.floor(x);
  const diff = x - floor;
  if (diff < 0.5) return floor;
  if (diff > 0.5) return floor + 1;
  return floor % 2 === 0 ? floor : floor + 1;
}

/** `np.linspace(start, stop, count)`: arange·step + start, with the last point exactly `stop`. */
export function numpyLinspace(start: number, stop: number, count: number): number[] {
  if (count === 1) return [start];
  const step = (stop - start) / (count - 1);
  const out = Array.from({ length: count }, (_, i) => i * step + start);
  out[count - 1] = stop;
  return out;
}

/** `np.arange(start, stop, step)` for a float step. */
export function numpyArange(start: number, stop: number, step: number): number[] {
  const length = Math.max(0, Math.ceil((stop - start) / step));
  return Array.from({ length }, (_, i) => start + i * step);
}

export interface SpacingOptions {
  spacing: TimestepSpacing;
  numTrainTimesteps: number;
  count: number;
  stepsOffset: number;
  /** Round linspace points to integers (DDIM/PNDM do; Euler keeps fractional timesteps). */
  roundLinspace: boolean;
}

/** Descending inference timesteps, as DDIM/Euler's `set_timesteps` computes them. */
export function spacedTimesteps(options: SpacingOptions): number[] {
  const { spacing, numTrainTimesteps: total, count, stepsOffset } = options;
  if (!Number.isInteger(count) || count < 1 || count > total) {
    throw new Error(`number of inference steps must be an integer in [1, ${total}], got ${count}`);
  }
  if (spacing === 'leading') {
    const ratio = Math.floor(total / count);
    return Array.from({ length: count }, (_, i) => (count - 1 - i) * ratio + stepsOffset);
  }
  if (spacing === 'trailing') {
    return numpyArange(total, 0, -total / count).map((t) => roundHalfEven(t) - 1);
  }
  const points = numpyLinspace(0, total - 1, count).reverse();
  return options.roundLinspace ? points.map(roundHalfEven) : points.map(Math.fround);
}

/**
 * Where a sampler starts when first called with timestep `t` (diffusers' `index_for_timestep`): the
 * second match if `t` repeats, so image-to-image starting mid-schedule does not skip a sigma.
 */
export function stepIndexForTimestep(timesteps: readonly number[], t: number): number {
  const matches: number[] = [];
  timesteps.forEach((candidate, index) => {
    if (candidate === t) matches.push(index);
  });
  if (matches.length === 0) throw new Error(`timestep ${t} is not in this scheduler's timesteps`);
  return matches.length > 1 ? matches[1] : matches[0];
}
