/**
 * Canvas pixels as tests compare them: a short hash of each matching canvas's RGBA (size and FNV-1a), in
 * document order, so two runs or two views can be compared for exact equality.
 */
import type { Page } from '@playwright/test';

export async function canvasHashes(page: Page, selector: string): Promise<string[]> {
  return page.evaluate(
    (sel) =>
      [...document.querySelectorAll<HTMLCanvasElement>(sel)].map((c) => {
        const data = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
        let h = 2166136261;
        for (const v of data) h = Math.imul(h ^ v, 16777619) >>> 0;
        return `${c.width}x${c.height}:${h.toString(16)}`;
      }),
    selector,
  );
}

/** The hashes of every result image of the studio (the main run and its no-controller baseline), in order. */
export function resultPixels(page: Page): Promise<string[]> {
  return canvasHashes(page, '[data-testid^="result-"] canvas.final');
}
