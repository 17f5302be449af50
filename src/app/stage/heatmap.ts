/**
 * Attention heatmaps for overlaying on an image: a word's tiles merged into one (a word CLIP splits into
 * several tokens gets the mean of its tokens' tiles, scaled to its maximum as each tile is), then coloured
 * with a perceptual dark-to-bright colour map (stretched from the tile's minimum) whose alpha follows the value, so where the word is not
 * attended the image shows through. Pure (no DOM); the browser upsamples the small result smoothly.
 */

/** Colour-map stops (value 0 … 1 → sRGB), dark purple through red and orange to pale yellow. */
const STOPS: readonly [number, number, number, number][] = [
  [0, 0, 0, 4],
  [0.25, 87, 16, 110],
  [0.5, 188, 55, 84],
  [0.75, 249, 142, 9],
  [1, 252, 255, 164],
];

/** The colour of `v` (0 … 255) on the map. */
export function heatColour(v: number): [number, number, number] {
  const x = Math.min(1, Math.max(0, v / 255));
  let k = 1;
  while (k < STOPS.length - 1 && STOPS[k][0] < x) k++;
  const [x0, r0, g0, b0] = STOPS[k - 1];
  const [x1, r1, g1, b1] = STOPS[k];
  const t = (x - x0) / (x1 - x0);
  return [Math.round(r0 + t * (r1 - r0)), Math.round(g0 + t * (g1 - g0)), Math.round(b0 + t * (b1 - b0))];
}

/** The mean of the tiles at `columns`, scaled so its maximum is 255 (undefined when no column has a tile). */
export function mergeTiles(tiles: readonly Uint8ClampedArray[], columns: readonly number[]): Uint8ClampedArray | undefined {
  const chosen = columns.map((c) => tiles[c]).filter((t): t is Uint8ClampedArray => t !== undefined);
  if (chosen.length === 0) return undefined;
  if (chosen.length === 1) return chosen[0];
  const sum = new Float32Array(chosen[0].length);
  for (const tile of chosen) for (let i = 0; i < sum.length; i++) sum[i] += tile[i];
  let max = 0;
  for (const v of sum) max = Math.max(max, v);
  const out = new Uint8ClampedArray(sum.length);
  if (max > 0) for (let i = 0; i < sum.length; i++) out[i] = Math.round((sum[i] / max) * 255);
  return out;
}

/**
 * RGBA of a greyscale tile on the colour map, stretched from its minimum to its maximum (attention is rarely
 * near zero anywhere, so without the stretch the whole image would be covered), alpha rising with the value.
 */
export function heatRgba(tile: Uint8ClampedArray): Uint8ClampedArray {
  let lo = 255;
  let hi = 0;
  for (const v of tile) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  const span = hi - lo;
  const out = new Uint8ClampedArray(tile.length * 4);
  for (let i = 0; i < tile.length; i++) {
    const v = span > 0 ? Math.round(((tile[i] - lo) / span) * 255) : 0;
    const [r, g, b] = heatColour(v);
    out[4 * i] = r;
    out[4 * i + 1] = g;
    out[4 * i + 2] = b;
    // Alpha rises faster than linearly so weakly attended pixels stay clear.
    out[4 * i + 3] = Math.round(255 * (v / 255) ** 1.5);
  }
  return out;
}
