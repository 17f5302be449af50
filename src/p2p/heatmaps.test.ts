import { describe, expect, it } from 'vitest';
import { tokenHeatmaps } from './heatmaps';

describe('tokenHeatmaps', () => {
  it('scales each token tile to its own maximum', () => {
    // 2×2 pixels, 3 tokens; token 1 peaks at pixel 3, token 2 is all zero.
    const maps = Float32Array.from([0.5, 0.1, 0, 1, 0.2, 0, 0.25, 0.3, 0, 0, 0.4, 0]);
    const tiles = tokenHeatmaps(maps, 2, 3, 3);
    expect(Array.from(tiles[0])).toEqual([128, 255, 64, 0]);
    expect(Array.from(tiles[1])).toEqual([64, 128, 191, 255]);
    expect(Array.from(tiles[2])).toEqual([0, 0, 0, 0]);
    expect(() => tokenHeatmaps(maps, 3, 3, 3)).toThrow(/not \[9, 3\]/);
  });
});
