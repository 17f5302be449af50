/**
 * PNG downloads of one result or of the labelled grid, drawn on canvases (the browser encodes PNG).
 */
import type { RgbaImage } from '../state/results';

function save(canvas: HTMLCanvasElement, name: string): void {
  canvas.toBlob((blob) => {
    if (!blob) return;
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = name;
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
  }, 'image/png');
}

function canvasOf(image: RgbaImage): HTMLCanvasElement {
  const c = document.createElement('canvas');
  c.width = image.width;
  c.height = image.height;
  c.getContext('2d')!.putImageData(new ImageData(new Uint8ClampedArray(image.rgba), image.width, image.height), 0, 0);
  return c;
}

export function downloadImage(image: RgbaImage, name: string): void {
  save(canvasOf(image), name);
}

/** A grid of the images scaled to 256 px with their labels underneath. */
export function downloadGrid(images: RgbaImage[], name = 'prompt-to-prompt.png'): void {
  const size = 256;
  const caption = 40;
  const columns = Math.min(images.length, 4);
  const rows = Math.ceil(images.length / columns);
  const grid = document.createElement('canvas');
  grid.width = columns * size;
  grid.height = rows * (size + caption);
  const ctx = grid.getContext('2d')!;
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, grid.width, grid.height);
  ctx.imageSmoothingEnabled = false;
  images.forEach((img, i) => {
    const x = (i % columns) * size;
    const y = Math.floor(i / columns) * (size + caption);
    ctx.drawImage(canvasOf(img), x, y, size, size);
    ctx.fillStyle = '#111';
    ctx.font = '13px system-ui, sans-serif';
    ctx.fillText(img.label.slice(0, 42), x + 6, y + size + 16, size - 12);
  });
  save(grid, name);
}
