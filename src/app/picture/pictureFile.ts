/**
 * A picture the user gives (a file chosen, dropped or pasted) as RGBA in the page: decoded by the browser, and
 * shrunk to at most 1024 px a side first (the engine resizes it to the model's size anyway; this bounds what
 * crosses to the worker). Not an image, or one the browser cannot decode, is a clear error.
 */
import type { Picture } from '../../state/store';

export const MAX_PICTURE_SIDE = 1024;
let nextId = 1;

/** A fresh picture id (a reopened run's picture is a new one for the run key). */
export function newPictureId(): number {
  return nextId++;
}

export async function readPicture(file: Blob & { name?: string }): Promise<Picture> {
  const name = file.name || 'pasted picture';
  if (file.type && !file.type.startsWith('image/')) throw new Error(`${name} is not a picture (${file.type})`);
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(file);
  } catch {
    throw new Error(`${name} could not be read as a picture (PNG, JPEG, WebP and GIF work)`);
  }
  const scale = Math.min(1, MAX_PICTURE_SIDE / Math.max(bitmap.width, bitmap.height));
  const width = Math.max(1, Math.round(bitmap.width * scale));
  const height = Math.max(1, Math.round(bitmap.height * scale));
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext('2d')!;
  ctx.imageSmoothingQuality = 'high';
  ctx.drawImage(bitmap, 0, 0, width, height);
  bitmap.close();
  return { id: newPictureId(), name, width, height, rgba: ctx.getImageData(0, 0, width, height).data };
}

/** The first picture in a clipboard or drop, if any. */
export function pictureIn(items: DataTransfer | null): File | undefined {
  return [...(items?.files ?? [])].find((f) => f.type.startsWith('image/'));
}
