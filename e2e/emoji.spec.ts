/**
 * The embedded emoji model (preview) as a user reaches it: pick it in the model picker, choose the notebook's
 * word swap from the examples, generate on wasm, see 64-px images and 16×16 maps; its share link opens the same
 * recipe on a new page and gives the same pixels. The About panel credits the Noto Emoji images it learnt from.
 */
import { expect, test } from '@playwright/test';
import { resultPixels } from './helpers/pixels';
import { waitForDone } from './helpers/run';
import { openSection } from './helpers/sections';

test('the emoji model draws the notebook’s swap, and its share link gives the same pixels', async ({ page, context }, testInfo) => {
  test.setTimeout(400_000);
  await page.setViewportSize({ width: 1400, height: 1100 });
  await page.goto('/?backend=wasm');
  await openSection(page, 'model-section');
  const picker = page.locator('#model-select');
  await expect(picker.locator('option[value="toy-emoji"]')).toHaveText(/^Embedded emoji model \(.*preview.*\d+(\.\d+)? MB\)$/);
  await picker.selectOption('toy-emoji');
  await expect(page.getByTestId('model-cache-state')).toHaveText('embedded in the app: no download');
  // The emoji family's defaults (its p2p.json: 20 steps, guidance 5) and its own examples.
  await expect(page.getByLabel('Steps', { exact: true })).toHaveValue('20');
  await expect(page.getByLabel('Guidance scale', { exact: true })).toHaveValue('5');
  // The toy model's starting prompts give way to the emoji model's.
  await expect(page.getByLabel('Source prompt', { exact: true })).toHaveValue('a painting of a squirrel eating a burger');
  await page.getByLabel('Examples').selectOption({ label: 'Squirrel → lion / cat' });
  await expect(page.getByLabel('Source prompt', { exact: true })).toHaveValue('a painting of a squirrel eating a burger');
  await expect(page.getByLabel('Edited prompt 2', { exact: true })).toHaveValue('a painting of a cat eating a burger');
  await page.getByLabel('Steps', { exact: true }).fill('6');
  await page.getByRole('button', { name: /^Generate/ }).click();
  await waitForDone(page, 180_000);
  const pixels = await resultPixels(page);
  expect(pixels).toHaveLength(6); // source + two edits, and the no-controller baseline of each
  for (const p of pixels) expect(p).toMatch(/^64x64:/);
  await expect(page.getByTestId('attention-tiles')).toContainText('squirrel');
  await page.screenshot({ path: testInfo.outputPath('emoji-swap.png'), fullPage: true });

  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await page.getByRole('button', { name: 'Copy link' }).click();
  const link = await page.evaluate(() => navigator.clipboard.readText());
  const second = await context.newPage();
  await second.setViewportSize({ width: 1400, height: 1100 });
  await second.goto(link);
  await expect(second.getByLabel('Source prompt', { exact: true })).toHaveValue('a painting of a squirrel eating a burger');
  await waitForDone(second, 180_000);
  expect(await resultPixels(second)).toEqual(pixels);

  const about = page.getByTestId('about');
  await about.locator('summary').click();
  await expect(about).toContainText('Noto Emoji by Google');
  await expect(about.getByRole('link', { name: 'Noto Emoji images: Apache License 2.0' })).toHaveAttribute('href', /noto-emoji/);
});
