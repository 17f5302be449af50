/**
 * The embedded emoji model, the app's default, as a user meets it: the picker holds it on a first visit, with its
 * own sampling defaults and starting prompts; choose the notebook's word swap from the examples, generate on wasm, see 64-px images and 16×16 maps; its share link opens the same
 * recipe on a new page and gives the same pixels. The About panel credits the Noto Emoji images it learnt from.
 */
import { mkdirSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { PRESETS } from '../src/state/presets';
import { resultPixels } from './helpers/pixels';
import { waitForDone } from './helpers/run';
import { openSection } from './helpers/sections';

test('the emoji model draws the notebook’s swap, and its share link gives the same pixels', async ({ page, context }, testInfo) => {
  test.setTimeout(400_000);
  await page.setViewportSize({ width: 1400, height: 1100 });
  await page.goto('/?backend=wasm');
  await openSection(page, 'model-section');
  const picker = page.locator('#model-select');
  await expect(picker.locator('option[value="toy-emoji"]')).toHaveText(/^Embedded emoji model \(animals, food and things, 64 px, \d+(\.\d+)? MB\)$/);
  await expect(picker).toHaveValue('toy-emoji');
  await expect(page.getByTestId('model-cache-state')).toHaveText('embedded in the app: no download');
  // The emoji family's defaults (its p2p.json: 20 steps, guidance 3) and the notebook's first swap.
  await expect(page.getByLabel('Steps', { exact: true })).toHaveValue('20');
  await expect(page.getByLabel('Guidance scale', { exact: true })).toHaveValue('3');
  await expect(page.getByLabel('Source prompt', { exact: true })).toHaveValue('a painting of a squirrel eating a burger');
  await expect(page.getByLabel('Edited prompt 1', { exact: true })).toHaveValue('a painting of a lion eating a burger');
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

// `SCREENSHOTS=1` retakes docs/screenshots/presets/: each notebook example on the emoji model after a run at its own
// settings (20 steps), for docs/presets.md: the studio at 1280×720 (the source and the first edit, large) as
// <id>.png and every result (the other edits, the no-controller row) as <id>-all.png. Skipped otherwise: ~4 minutes.
test('each notebook example on the emoji model, as a screenshot', async ({ page }) => {
  test.skip(process.env.SCREENSHOTS !== '1', 'retakes docs/screenshots/presets/ only with SCREENSHOTS=1');
  test.setTimeout(900_000);
  mkdirSync('docs/screenshots/presets', { recursive: true });
  await page.setViewportSize({ width: 1280, height: 720 });
  for (const preset of PRESETS.filter((p) => p.family === 'emoji')) {
    await page.goto('/?backend=wasm');
    await page.getByLabel('Examples').selectOption(preset.id);
    await page.getByRole('button', { name: /^Generate/ }).click();
    await waitForDone(page, 300_000);
    await page.screenshot({ path: `docs/screenshots/presets/${preset.id}.png` });
    await page.locator('section.results').screenshot({ path: `docs/screenshots/presets/${preset.id}-all.png` });
  }
});
