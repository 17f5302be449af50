/**
 * Classroom mode on the embedded emoji model (the default), with the notebook's own examples: the presenter view walks the notebook's sections by keyboard, each
 * figure is made and matches what the same recipe gives elsewhere (3.3's Prompt-to-Prompt row is 3.4's swap, the
 * sources agree across sections), exports as a labelled PNG, and the view holds at 1280×720 and at 200 % zoom
 * (a 640×360 CSS viewport) with axe reporting no serious issue. Escape goes back to the studio as it was.
 */
import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { PNG } from 'pngjs';
import { seriousViolations } from './helpers/axe';
import { canvasHashes } from './helpers/pixels';

/** Each final image of the figure, as a hash of its RGBA. */
const figurePixels = (page: Page): Promise<string[]> => canvasHashes(page, '[data-testid="presenter-figure"] canvas.final');

async function ready(page: Page, id: string, title: string): Promise<string[]> {
  await expect(page.getByRole('heading', { level: 2 })).toHaveText(`${id} ${title}`);
  await expect(page.getByTestId('presenter-status')).toHaveText('Figure ready.', { timeout: 120_000 });
  // Canvases draw in an effect after the status renders: wait until two reads agree.
  let last: string[] = [];
  await expect.poll(async () => {
    const now = await figurePixels(page);
    const same = now.join() === last.join();
    last = now;
    return same;
  }).toBe(true);
  return last;
}

/** `SCREENSHOTS=1` writes the README's pictures; otherwise they go with the test's output. */
const shot = (page: Page, name: string, out: string) => page.screenshot({ path: process.env.SCREENSHOTS ? `docs/screenshots/${name}` : out });

test('the presenter view walks the notebook’s sections with their figures, exports them, and goes back', async ({ page }, testInfo) => {
  test.setTimeout(420_000);
  await page.setViewportSize({ width: 1280, height: 720 });
  await page.goto('/?backend=wasm');
  await page.getByRole('button', { name: 'Classroom' }).click();

  const attention = await ready(page, '3.1', 'Cross-attention per token');
  await expect(page.getByRole('heading', { level: 2 })).toBeFocused();
  expect(attention).toHaveLength(1);
  // <start> a painting of a squirrel eating a burger <end>: every word of the emoji world is one token
  await expect(page.getByRole('img', { name: /^attention of “/ })).toHaveCount(10);
  await expect(page.getByRole('button', { name: '3.1 Cross-attention per token', exact: true })).toHaveAttribute('aria-current', 'step');
  expect(await seriousViolations(page)).toEqual([]);

  await page.keyboard.press('ArrowRight');
  const baseline = await ready(page, '3.3', 'Without a controller');
  expect(baseline).toHaveLength(6); // squirrel → lion / cat, with and without the controller
  await expect(page.getByTestId('presenter-figure')).toContainText('No controller (same seed)');
  expect(baseline[0]).toBe(attention[0]); // the same source
  expect(baseline[4]).not.toBe(baseline[1]); // the lion without the controller is another picture
  await shot(page, 'classroom-1280.png', testInfo.outputPath('classroom-1280.png'));

  await page.keyboard.press('PageDown');
  const swap = await ready(page, '3.4', 'Word swap');
  expect(swap).toEqual(baseline.slice(0, 3)); // the same Prompt-to-Prompt row

  await page.keyboard.press('4');
  const sweep = await ready(page, '3.6', 'How long to inject: a sweep');
  expect(sweep).toHaveLength(4); // the notebook's dog → cat riding a bicycle
  expect(new Set(sweep.slice(1)).size).toBe(3); // 0.9, 0.5 and 0.1 give three different edits

  await page.keyboard.press('ArrowRight');
  const local = await ready(page, '3.8', 'Local edit (LocalBlend)');
  expect(local).toHaveLength(3); // pizza → lasagne: the source, the edit without and with LocalBlend
  expect(local[2]).not.toBe(local[1]);
  expect(local[1]).not.toBe(local[0]);
  await expect(page.getByTestId('presenter')).toContainText('with it only the object changes');
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Download PNG' }).click();
  const file = await download;
  expect(file.suggestedFilename()).toBe('classroom-3.8-local-edit-localblend.png');
  const sheet = PNG.sync.read(readFileSync(await file.path()));
  expect(sheet.width).toBe(3 * 256);
  expect(sheet.height).toBe(40 + 256 + 40);
  const darkInHeading = [...Array(sheet.width * 40).keys()].some((i) => sheet.data[i * 4]! < 100);
  expect(darkInHeading).toBe(true); // the heading is written

  await page.keyboard.press('End');
  const own = await ready(page, '3.10', 'Your own edits');
  // The studio's recipe is the starting one: squirrel → lion with the baseline row, the same source as 3.1.
  expect(own).toHaveLength(4);
  expect(own[0]).toBe(attention[0]);

  // Going back does not run again.
  await page.keyboard.press('Home');
  await expect(page.getByTestId('presenter-status')).toHaveText('Figure ready.');
  expect(await figurePixels(page)).toEqual(attention);

  // 200 % zoom on a 1280×720 projector: a 640×360 CSS viewport. Nothing spills sideways; every control is reachable.
  await page.setViewportSize({ width: 640, height: 360 });
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(640);
  await expect(page.getByRole('button', { name: 'Next →' })).toBeInViewport();
  await shot(page, 'classroom-200-percent.png', testInfo.outputPath('classroom-200-percent.png'));
  expect(await seriousViolations(page)).toEqual([]);
  await page.emulateMedia({ colorScheme: 'dark' });
  expect(await seriousViolations(page)).toEqual([]);

  await page.keyboard.press('Escape');
  await expect(page.getByTestId('presenter')).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Classroom' })).toBeFocused();
  await expect(page.getByLabel('Source prompt', { exact: true })).toHaveValue('a painting of a squirrel eating a burger');
});
