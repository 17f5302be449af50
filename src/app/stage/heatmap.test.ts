import { describe, expect, it } from 'vitest';
import { heatColour, heatRgba, mergeTiles } from './heatmap';

/** Relative luminance (sRGB, WCAG) of a colour. */
function luminance([r, g, b]: [number, number, number]): number {
  const lin = (c: number) => {
    const s = c / 255;
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

describe('heatmap', () => {
  it('colours from near black to pale yellow, brighter at every step (readable in greyscale too)', () => {
    expect(heatColour(0)).toEqual([0, 0, 4]);
    expect(heatColour(255)).toEqual([252, 255, 164]);
    let previous = -1;
    for (let v = 0; v <= 255; v += 5) {
      const l = luminance(heatColour(v));
      expect(l).toBeGreaterThan(previous);
      previous = l;
    }
  });

  it('makes the least attended pixels transparent and the most attended opaque, stretched from the minimum', () => {
    const rgba = heatRgba(new Uint8ClampedArray([0, 128, 255]));
    expect([rgba[3], rgba[7], rgba[11]]).toEqual([0, 91, 255]);
    const flat = heatRgba(new Uint8ClampedArray([150, 200, 250]));
    expect([flat[3], flat[7], flat[11]]).toEqual([0, 91, 255]);
    expect([...flat.slice(8, 11)]).toEqual(heatColour(255));
    expect([...heatRgba(new Uint8ClampedArray([90, 90])).filter((_, i) => i % 4 === 3)]).toEqual([0, 0]);
  });

  it('merges a split word into one tile scaled to its maximum', () => {
    const a = new Uint8ClampedArray([255, 0, 100]);
    const b = new Uint8ClampedArray([255, 255, 100]);
    expect([...mergeTiles([new Uint8ClampedArray(3), a, b], [1, 2])!]).toEqual([255, 128, 100]);
    expect(mergeTiles([a], [1])).toBeUndefined();
    expect(mergeTiles([a, b], [1])).toBe(b);
  });
});
