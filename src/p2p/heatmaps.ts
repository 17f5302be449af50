/**
 * Per-token greyscale heatmaps of accumulated cross-attention, as the reference
 * `show_cross_attention`: one `R×R` tile per token, each scaled so its maximum is 255.
 */

/** `maps` is `[R·R, K]` for one prompt; returns `count` tiles of `R·R` bytes. */
export function tokenHeatmaps(maps: Float32Array, res: number, keys: number, count: number): Uint8ClampedArray[] {
  const pixels = res * res;
  if (maps.length !== pixels * keys) throw new Error(`attention maps are not [${pixels}, ${keys}]`);
  const tiles: Uint8ClampedArray[] = [];
  for (let t = 0; t < Math.min(count, keys); t++) {
    let max = 0;
    for (let p = 0; p < pixels; p++) max = Math.max(max, maps[p * keys + t]);
    const tile = new Uint8ClampedArray(pixels);
    if (max > 0) for (let p = 0; p < pixels; p++) tile[p] = Math.round((255 * maps[p * keys + t]) / max);
    tiles.push(tile);
  }
  return tiles;
}
