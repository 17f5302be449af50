/**
 * RGBA pixels ⇄ PNG bytes with the browser's own codec (a canvas encodes, `createImageBitmap` decodes, with no
 * colour conversion or premultiplication, so opaque images round-trip exactly), and a small thumbnail.
 */
import type { RgbaImage } from '../../state/results';

function canvasWith(image: Pick<RgbaImage, 'width' | 'height' | 'rgba'>): HTMLCanvasElement {
  const c = document.createElement('canvas');
  c.width = image.width;
  c.height = image.height;
  c.getContext('2d')!.putImageData(new ImageData(new Uint8ClampedArray(image.rgba), image.width, image.height), 0, 0);
  return c;
}

async function pngOf(canvas: HTMLCanvasElement): Promise<Uint8Array> {
  const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/png'));
  if (!blob) throw new Error('the browser could not encode a PNG');
  return new Uint8Array(await blob.arrayBuffer());
}

export function encodePng(image: Pick<RgbaImage, 'width' | 'height' | 'rgba'>): Promise<Uint8Array> {
  return pngOf(canvasWith(image));
}

export async function decodePng(png: Uint8Array): Promise<{ width: number; height: number; rgba: Uint8ClampedArray }> {
  const bitmap = await createImageBitmap(new Blob([png as Uint8Array<ArrayBuffer>], { type: 'image/png' }), { premultiplyAlpha: 'none', colorSpaceConversion: 'none' });
  const c = document.createElement('canvas');
  c.width = bitmap.width;
  c.height = bitmap.height;
  const ctx = c.getContext('2d')!;
  ctx.drawImage(bitmap, 0, 0);
  bitmap.close();
  return { width: c.width, height: c.height, rgba: ctx.getImageData(0, 0, c.width, c.height).data };
}

/** The image scaled down to fit `size` px (never up), as PNG. */
export async function thumbnailPng(image: Pick<RgbaImage, 'width' | 'height' | 'rgba'>, size = 96): Promise<{ width: number; height: number; png: Uint8Array }> {
  const scale = Math.min(1, size / Math.max(image.width, image.height));
  if (scale === 1) return { width: image.width, height: image.height, png: await encodePng(image) };
  const t = document.createElement('canvas');
  t.width = Math.max(1, Math.round(image.width * scale));
  t.height = Math.max(1, Math.round(image.height * scale));
  const ctx = t.getContext('2d')!;
  ctx.imageSmoothingQuality = 'high';
  ctx.drawImage(canvasWith(image), 0, 0, t.width, t.height);
  return { width: t.width, height: t.height, png: await pngOf(t) };
}
