import { describe, expect, it } from 'vitest';
import { imageToSample } from './imageInput';

/** An RGBA image whose red channel is f(x, y), green 0, blue 255. */
function image(width: number, height: number, f: (x: number, y: number) => number): Uint8ClampedArray {
  const out = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) out.set([f(x, y), 0, 255, 255], (y * width + x) * 4);
  return out;
}
const red = (s: Float32Array, size: number, x: number, y: number) => s[y * size + x];

describe('imageToSample', () => {
  it('keeps an image already at the size, as CHW in [-1, 1]', () => {
    const s = imageToSample(image(4, 4, (x, y) => 17 * (x + 4 * y)), 4, 4, 4);
    expect(s).toHaveLength(3 * 16);
    expect(red(s, 4, 3, 2)).toBeCloseTo((17 * 11) / 127.5 - 1, 6);
    expect(s[16]).toBe(-1); // green plane
    expect(s[32]).toBe(1); // blue plane
  });

  it('averages the area each output pixel covers when shrinking', () => {
    // 4×4 → 2×2: each output is the mean of a 2×2 block.
    const s = imageToSample(image(4, 4, (x, y) => (x < 2 && y < 2 ? 200 : 0)), 4, 4, 2);
    expect(red(s, 2, 0, 0)).toBeCloseTo(200 / 127.5 - 1, 6);
    expect(red(s, 2, 1, 0)).toBe(-1);
    // 3×3 → 2×2: fractional edges (output 0 covers source 0 fully and half of source 1).
    const t = imageToSample(image(3, 3, (x) => (x === 0 ? 255 : 0)), 3, 3, 2);
    expect(red(t, 2, 0, 0)).toBeCloseTo(((255 * 1) / 1.5) / 127.5 - 1, 5);
  });

  it('centre-crops a wide or tall picture to a square', () => {
    // 6×2: the middle 2×2 (x = 2, 3) is kept.
    const s = imageToSample(image(6, 2, (x) => (x === 2 || x === 3 ? 255 : 0)), 6, 2, 2);
    expect([...s.subarray(0, 4)]).toEqual([1, 1, 1, 1]);
    const t = imageToSample(image(2, 6, (_, y) => (y === 2 || y === 3 ? 255 : 0)), 2, 6, 2);
    expect([...t.subarray(0, 4)]).toEqual([1, 1, 1, 1]);
  });

  it('enlarges a small image into blocks', () => {
    const s = imageToSample(image(2, 2, (x) => (x === 0 ? 255 : 0)), 2, 2, 4);
    expect([red(s, 4, 0, 0), red(s, 4, 1, 3), red(s, 4, 2, 0), red(s, 4, 3, 3)]).toEqual([1, 1, -1, -1]);
  });

  it('never reads past the picture, whatever the sizes (no NaN from rounding)', () => {
    for (const [w, h, size] of [[700, 700, 768], [1001, 999, 640], [10, 7, 24], [33, 31, 32], [3, 1000, 512]]) {
      const s = imageToSample(image(w, h, (x, y) => (x * 7 + y) % 256), w, h, size);
      expect(s.every(Number.isFinite), `${w}×${h} → ${size}`).toBe(true);
    }
  });

  it('counts transparent parts as black', () => {
    const rgba = image(2, 1, () => 255);
    rgba[3] = 0; // the first pixel is fully transparent
    const s = imageToSample(rgba, 2, 1, 1);
    expect(s[0]).toBeCloseTo(127.5 / 127.5 - 1, 6); // red: the mean of 0 (transparent) and 255
  });

  it('refuses a buffer that does not match its size', () => {
    expect(() => imageToSample(new Uint8ClampedArray(10), 2, 2, 2)).toThrow(/has 16 bytes, got 10/);
    expect(() => imageToSample(new Uint8ClampedArray(0), 0, 2, 2)).toThrow(/positive integers/);
  });
});
