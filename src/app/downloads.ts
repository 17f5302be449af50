/**
 * PNG downloads of one result or of a labelled sheet (the results, a classroom figure), drawn on canvases (the
 * browser encodes PNG).
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

/** A labelled row of small pictures in the sheet (token maps, or latent previews by step). */
export interface SheetRow {
  title: string;
  items: { label: string; image: RgbaImage }[];
}

/**
 * The labelled grid with what made it: an optional heading, the images (256 px), then each prompt's per-token
 * attention maps and its latent previews by step (72 px each, wrapped), every row titled.
 */
export function downloadSheet(images: RgbaImage[], rows: SheetRow[], name = 'prompt-to-prompt.png', heading?: string): void {
  const size = 256;
  const caption = 40;
  const small = 72;
  const smallCaption = 18;
  const title = 24;
  const top = heading ? 40 : 0;
  const columns = Math.max(1, Math.min(images.length, 4));
  const width = Math.max(columns * size, 8 * small);
  const perRow = Math.floor(width / small);
  const imageRows = Math.ceil(images.length / columns);
  const rowHeight = (r: SheetRow) => title + Math.ceil(r.items.length / perRow) * (small + smallCaption) + 8;
  const sheet = document.createElement('canvas');
  sheet.width = width;
  sheet.height = top + imageRows * (size + caption) + rows.reduce((h, r) => h + rowHeight(r), 0);
  const ctx = sheet.getContext('2d')!;
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, sheet.width, sheet.height);
  ctx.imageSmoothingEnabled = false;
  ctx.fillStyle = '#111';
  if (heading) {
    ctx.font = '600 20px system-ui, sans-serif';
    ctx.fillText(heading.slice(0, 80), 8, 27, width - 16);
  }
  images.forEach((img, i) => {
    const x = (i % columns) * size;
    const y = top + Math.floor(i / columns) * (size + caption);
    ctx.drawImage(canvasOf(img), x, y, size, size);
    ctx.font = '13px system-ui, sans-serif';
    ctx.fillText(img.label.slice(0, 42), x + 6, y + size + 16, size - 12);
  });
  let y = top + imageRows * (size + caption);
  for (const row of rows) {
    ctx.font = '600 14px system-ui, sans-serif';
    ctx.fillText(row.title.slice(0, 90), 6, y + 17, width - 12);
    row.items.forEach((item, k) => {
      const x = (k % perRow) * small;
      const top = y + title + Math.floor(k / perRow) * (small + smallCaption);
      ctx.drawImage(canvasOf(item.image), x + 2, top, small - 4, small - 4);
      ctx.font = '11px system-ui, sans-serif';
      ctx.fillText(item.label.slice(0, 12), x + 4, top + small + 10, small - 8);
    });
    y += rowHeight(row);
  }
  save(sheet, name);
}
