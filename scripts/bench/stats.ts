// Summary statistics for repeated timings (median, quartiles, min–max) and their markdown formatting.
// Ratios are taken per round (variants measured side by side), then summarised like any other sample.

export interface Summary {
  n: number;
  median: number;
  q1: number;
  q3: number;
  min: number;
  max: number;
}

/** Linear-interpolated quantile of sorted values (type 7, as numpy's default). */
function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

export function summarize(values: number[]): Summary {
  const s = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  return { n: s.length, median: quantile(s, 0.5), q1: quantile(s, 0.25), q3: quantile(s, 0.75), min: s[0] ?? Number.NaN, max: s[s.length - 1] ?? Number.NaN };
}

/** Element-wise a[i] / b[i] (rounds where both were measured). */
export function ratios(a: number[], b: number[]): number[] {
  const n = Math.min(a.length, b.length);
  return Array.from({ length: n }, (_, i) => a[i] / b[i]);
}

/** A number with about three significant digits. */
export function fmt(v: number): string {
  if (!Number.isFinite(v)) return '–';
  const a = Math.abs(v);
  if (a >= 100) return v.toFixed(0);
  if (a >= 10) return v.toFixed(1);
  if (a >= 1) return v.toFixed(2);
  return v.toFixed(3);
}

/** "median (IQR q1–q3, min–max, n)" for a table cell; `digits` fixes the decimals (ratios near a goal). */
export function cell(s: Summary, unit = '', digits?: number): string {
  if (s.n === 0) return 'not measured';
  const f = (v: number): string => (digits === undefined ? fmt(v) : v.toFixed(digits));
  return `**${f(s.median)}${unit}** (IQR ${f(s.q1)}–${f(s.q3)}, range ${f(s.min)}–${f(s.max)}, n=${s.n})`;
}

/** Goal verdict for a median against an upper bound. */
export function verdict(s: Summary, goal: number): string {
  if (s.n === 0) return 'not measured';
  return s.median <= goal ? `met (≤ ${goal})` : `**missed** (> ${goal})`;
}

/** Rotates `items` by `round` so that no variant always runs first (warm caches, turbo, neighbours). */
export function rotate<T>(items: T[], round: number): T[] {
  const k = round % items.length;
  return [...items.slice(k), ...items.slice(0, k)];
}
