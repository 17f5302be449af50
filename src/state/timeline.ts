/**
 * The step scrubber's record of a run: frames (latent previews, accumulated attention maps) stamped with how far
 * through the run they were made (0 … 1), and the lookup "what was on screen at this point". Kept small: past a
 * limit every second old frame is dropped, never the newest.
 */

export interface Frame<T> {
  /** Fraction of the run done when the frame was made (0 < at ≤ 1). */
  at: number;
  value: T;
}

/** Frames kept per prompt before thinning. */
export const MAX_FRAMES = 48;

/** `frames` with `frame` added in order of `at` (one at the same point is replaced); thinned past `max`. */
export function addFrame<T>(frames: readonly Frame<T>[], frame: Frame<T>, max = MAX_FRAMES): Frame<T>[] {
  const next = frames.filter((f) => f.at !== frame.at);
  const i = next.findIndex((f) => f.at > frame.at);
  next.splice(i < 0 ? next.length : i, 0, frame);
  if (next.length <= max) return next;
  // Keep the newest frame and every second one before it (odd offsets from the end are dropped).
  const last = next.length - 1;
  return next.filter((_, k) => (last - k) % 2 === 0);
}

/** The newest frame made at or before `at` (undefined before the first one). */
export function frameAt<T>(frames: readonly Frame<T>[], at: number): T | undefined {
  let found: T | undefined;
  for (const f of frames) {
    if (f.at <= at + 1e-9) found = f.value;
    else break;
  }
  return found;
}

/** The points the scrubber stops at: every frame's `at` over all lists, in order, without repeats. */
export function scrubStops(lists: readonly (readonly Frame<unknown>[])[]): number[] {
  const all = new Set<number>();
  for (const list of lists) for (const f of list) all.add(f.at);
  return [...all].sort((a, b) => a - b);
}

/** Fraction of the run done at a preview of scheduler step `step` (0-based) of `steps`. */
export function previewAt(step: number, steps: number): number {
  return steps > 0 ? Math.min(1, Math.max(0, (step + 1) / steps)) : 1;
}

/** Fraction of the run done after UNet call `call` of `total` (total unknown: counted as done). */
export function callAt(call: number, total: number): number {
  return total > 0 ? Math.min(1, Math.max(0, call / total)) : 1;
}
