/**
 * Injection windows: a fraction `f` (= [0, f]) or a `[start, end]` range of the denoising run, in
 * [0, 1], turned into UNet-call counts the way the reference does (`int(fraction · count)`).
 */

export type StepFraction = number | [number, number];

/** Validates a fraction or range and returns it as `[start, end]`; `what` names it in errors. */
export function toRange(value: StepFraction, what: string): [number, number] {
  const range: [number, number] = typeof value === 'number' ? [0, value] : value;
  if (!Array.isArray(range) || range.length !== 2) {
    throw new Error(`${what} must be a fraction in [0, 1] or a [start, end] pair, got ${JSON.stringify(value)}`);
  }
  for (const v of range) {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 1) {
      throw new Error(`${what} must lie in [0, 1], got ${JSON.stringify(value)}`);
    }
  }
  if (range[0] > range[1]) {
    throw new Error(`${what} starts after it ends: [${range[0]}, ${range[1]}]`);
  }
  return range;
}

/** `[start, end)` in counts of `total`, truncated like Python's `int()`. */
export function rangeToCounts(range: [number, number], total: number): [number, number] {
  return [Math.trunc(range[0] * total), Math.trunc(range[1] * total)];
}
