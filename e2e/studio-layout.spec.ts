/**
 * The studio's image-first layout, as a user sees it: after a run at 1280×720 the source and the edit are the
 * largest things above the fold; hovering a word overlays its attention on its image (and the opacity slider
 * changes it); the comparison modes and the step scrubber work; axe reports nothing serious in the light and
 * dark themes. With SCREENSHOTS=1 it also retakes the README's screenshots (docs/screenshots/, 360, 1280 and
 * 1920 px wide, light and dark).
 */
import { mkdirSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { seriousViolations } from './helpers/axe';
import { encodeLink } from '../src/state/linkCodec';
import { DEFAULT_RECIPE } from '../src/state/recipe';

const SHOTS = process.env.SCREENSHOTS === '1';
// The starting example on the default emoji model, as a first visit has it: a painting of a squirrel eating a
// burger → … a lion …, with the no-controller row.
const recipe = DEFAULT_RECIPE;

async function openRun(page: Page): Promise<void> {
  await page.goto(`/?${await encodeLink(recipe)}&backend=wasm`);
  await expect(page.getByTestId('run-status')).toHaveText(/Done\./, { timeout: 120_000 });
}

/** Elements whose box is above the fold, largest first: `[what, visible area in px²]`. */
async function largestAboveFold(page: Page): Promise<[string, number][]> {
  return page.evaluate(() => {
    const fold = window.innerHeight;
    const out: [string, number][] = [];
    for (const el of document.querySelectorAll<HTMLElement>('canvas, img, textarea, input, select, button, p, h1, h2, h3, label, progress')) {
      const r = el.getBoundingClientRect();
      const visible = Math.max(0, Math.min(r.bottom, fold) - Math.max(r.top, 0)) * Math.max(0, Math.min(r.right, window.innerWidth) - Math.max(r.left, 0));
      if (visible > 0) out.push([el.closest('[data-testid]')?.getAttribute('data-testid') ?? el.tagName.toLowerCase(), Math.round(visible)]);
    }
    return out.sort((a, b) => b[1] - a[1]);
  });
}

test('the source and the edit are the largest elements above the fold at 1280×720', async ({ page }) => {
  test.setTimeout(180_000);
  await page.setViewportSize({ width: 1280, height: 720 });
  await openRun(page);
  const ranked = await largestAboveFold(page);
  expect(ranked.slice(0, 2).map(([what]) => what).sort()).toEqual(['stage-edit', 'stage-source']);
  // Each is at least 300 px wide and wholly above the fold.
  for (const id of ['stage-source', 'stage-edit']) {
    const box = (await page.getByTestId(id).locator('canvas').boundingBox())!;
    expect(box.width).toBeGreaterThanOrEqual(300);
    expect(box.y + box.height).toBeLessThanOrEqual(720);
  }
  // No horizontal scrolling.
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(1280);
});

test('a word overlays its attention on its image; comparison modes and the step scrubber work', async ({ page }) => {
  test.setTimeout(180_000);
  await page.setViewportSize({ width: 1280, height: 900 });
  await openRun(page);
  const lines = page.getByTestId('prompt-lines');
  // The changed word is highlighted in the edit's line.
  await expect(lines.getByRole('group', { name: /^Edit prompt/ }).locator('.word-swapped')).toHaveText('lion');
  await expect(lines.getByRole('group', { name: /^Source prompt/ }).locator('.word-replaced')).toHaveText('squirrel');
  await lines.getByRole('button', { name: /^lion \(swapped\)/ }).hover();
  const heat = page.getByTestId('heat-1');
  await expect(heat).toBeVisible();
  await expect(page.getByTestId('heat-0')).toHaveCount(0);
  // The overlay is the word's map on the colour map, opaque where the word is attended most and clear where least;
  // another word of the same prompt gives another map.
  const overlay = () =>
    heat.locator('canvas').evaluate((c: HTMLCanvasElement) => {
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      const alpha = d.filter((_, i) => i % 4 === 3);
      return { lo: Math.min(...alpha), hi: Math.max(...alpha), key: [...alpha].join() };
    });
  const lion = await overlay();
  expect([lion.lo, lion.hi]).toEqual([0, 255]);
  await lines.getByRole('button', { name: /^burger: where it attends in the edit/ }).hover();
  await expect.poll(async () => (await overlay()).key).not.toBe(lion.key);
  await lines.getByRole('button', { name: /^lion \(swapped\)/ }).hover();
  await page.getByLabel('Overlay opacity').fill('0.3');
  await expect(heat).toHaveCSS('opacity', '0.3');
  // Tapping pins it: it stays after the pointer leaves.
  await lines.getByRole('button', { name: /^lion \(swapped\)/ }).click();
  await page.mouse.move(5, 5);
  await expect(heat).toBeVisible();

  // Slider and blink show the two images in one frame.
  await page.getByRole('button', { name: 'Slider' }).click();
  await expect(page.getByLabel(/Before\/after divider/)).toBeVisible();
  await page.getByRole('button', { name: 'Blink' }).click();
  await expect(page.getByTestId('compare-pair').getByRole('img')).toHaveCount(1);
  await page.getByRole('button', { name: 'Side by side' }).click();

  // Back to the middle of the run: the stage shows that moment's preview and the strips its maps.
  const scrubber = page.getByTestId('step-scrubber').getByRole('slider');
  const stops = Number(await scrubber.getAttribute('max'));
  expect(stops).toBeGreaterThan(2);
  await scrubber.fill(String(Math.floor(stops / 2)));
  await expect(page.getByTestId('stage-source').locator('canvas.preview')).toHaveCount(1);
  await expect(page.getByTestId('step-scrubber')).toContainText(/step \d+ of 20/);
  await page.getByRole('button', { name: 'Show the final images' }).click();
  await expect(page.getByTestId('stage-source').locator('canvas.preview')).toHaveCount(0);
});

for (const scheme of ['light', 'dark'] as const) {
  test(`axe reports no serious issue in the ${scheme} theme, and the layout holds from phone to 4K`, async ({ page }, testInfo) => {
    test.setTimeout(240_000);
    await page.emulateMedia({ colorScheme: scheme });
    await page.setViewportSize({ width: 1280, height: 720 });
    await openRun(page);
    expect(await seriousViolations(page)).toEqual([]);
    for (const width of [360, 1280, 1920, 3840]) {
      const height = { 360: 780, 1280: 720, 1920: 1080, 3840: 2160 }[width]!;
      await page.setViewportSize({ width, height });
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
      // Generate is always within reach: beside the images when wide, pinned to the bottom on a phone.
      const button = (await page.getByRole('button', { name: /^Generate/ }).boundingBox())!;
      expect(button.y + button.height).toBeLessThanOrEqual(height);
      if (width === 3840) {
        // On a 4K screen the pair grows with it rather than staying a small island.
        const pair = (await page.getByTestId('compare-pair').boundingBox())!;
        expect(pair.width).toBeGreaterThan(width * 0.45);
        await page.screenshot({ path: testInfo.outputPath('studio-3840.png') });
        continue;
      }
      const path = SHOTS ? `docs/screenshots/studio-${width}-${scheme}.png` : testInfo.outputPath(`studio-${width}-${scheme}.png`);
      if (SHOTS) mkdirSync('docs/screenshots', { recursive: true });
      await page.screenshot({ path });
    }
    expect(await seriousViolations(page)).toEqual([]);
  });
}
