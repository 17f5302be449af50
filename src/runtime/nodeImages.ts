// PNG input (a picture to edit) and output for the Node CLI: single RGBA images, a side-by-side grid (reference `view_images`), and
// per-token greyscale attention tiles (reference `show_cross_attention`), encoded with pngjs.

import { readFileSync, writeFileSync } from 'node:fs';
import { PNG } from 'pngjs';

export interface RgbaImage {
  data: Uint8ClampedArray;
  width: number;
  height: number;
}

export function encodePng(img: RgbaImage): Buffer {
  const png = new PNG({ width: img.width, height: img.height });
  png.data = Buffer.from(img.data.buffer, img.data.byteOffset, img.data.byteLength);
  return PNG.sync.write(png);
}

/** A PNG file as RGBA (pngjs expands palettes, greyscale and 16-bit to 8-bit RGBA). */
export function readPng(path: string): RgbaImage {
  let png: PNG;
  try {
    png = PNG.sync.read(readFileSync(path));
  } catch (err) {
    throw new Error(`cannot read ${path} as PNG: ${(err as Error).message}`);
  }
  return { data: new Uint8ClampedArray(png.data.buffer, png.data.byteOffset, png.data.byteLength), width: png.width, height: png.height };
}

export function writePng(path: string, img: RgbaImage): void {
  writeFileSync(path, encodePng(img));
}

/** Images of equal size in one row, separated by `gap` white pixels (the reference's offset_ratio spacing). */
export function gridRow(images: RgbaImage[], gap = 4): RgbaImage {
  if (images.length === 0) throw new Error('no images for the grid');
  const { width, height } = images[0];
  if (images.some((i) => i.width !== width || i.height !== height)) throw new Error('grid images differ in size');
  const total = width * images.length + gap * (images.length - 1);
  const data = new Uint8ClampedArray(total * height * 4).fill(255);
  images.forEach((img, n) => {
    const x0 = n * (width + gap);
    for (let y = 0; y < height; y++) {
      data.set(img.data.subarray(y * width * 4, (y + 1) * width * 4), (y * total + x0) * 4);
    }
  });
  return { data, width: total, height };
}

/**
 * One tile per token of prompt `p` from `maps` `[P, R·R, 77]`: the token's map, max-normalised to
 * 0…255 and enlarged `scale`× (nearest), as greyscale RGBA.
 */
export function attentionTiles(maps: Float32Array, resolution: number, p: number, tokens: number[], scale: number): RgbaImage[] {
  const pixels = resolution * resolution;
  const side = resolution * scale;
  return tokens.map((t) => {
    const values = new Float32Array(pixels);
    for (let i = 0; i < pixels; i++) values[i] = maps[(p * pixels + i) * 77 + t];
    const max = values.reduce((m, v) => Math.max(m, v), 0);
    const data = new Uint8ClampedArray(side * side * 4);
    for (let y = 0; y < side; y++) {
      for (let x = 0; x < side; x++) {
        const v = max > 0 ? Math.round((255 * values[Math.floor(y / scale) * resolution + Math.floor(x / scale)]) / max) : 0;
        data.set([v, v, v, 255], (y * side + x) * 4);
      }
    }
    return { data, width: side, height: side };
  });
}
