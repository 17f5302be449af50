/**
 * The studio on the embedded emoji model (the default), as a user drives it: type prompts, move a slider, generate,
 * see progress, images and heatmaps; copy the link, open it in a new page, get the same state and
 * the same pixels. Also: accessibility (axe-core), a hostile share link, and a link with a negative prompt.
 */
import { expect, test, type Page } from '@playwright/test';
import { seriousViolations } from './helpers/axe';
import { linkParams } from './helpers/link';
import { encodeLink } from '../src/state/linkCodec';
import { DEFAULT_RECIPE, MAX_PROMPT_CHARS } from '../src/state/recipe';
import { openSection } from './helpers/sections';
import { resultPixels } from './helpers/pixels';
import { waitForDone } from './helpers/run';

test('edit by editing the prompt, share the link, get the same images', async ({ page, context }, testInfo) => {
  test.setTimeout(300_000);
  await page.setViewportSize({ width: 1400, height: 1100 });
  // wasm: SwiftShader's WebGPU is correct but ~40× slower; pixel equality holds per backend.
  await page.goto('/?backend=wasm');
  await page.screenshot({ path: testInfo.outputPath('studio-initial.png'), fullPage: true });
  expect(await seriousViolations(page)).toEqual([]);

  await page.getByLabel('Source prompt', { exact: true }).fill('a cat sitting on a table');
  await page.getByLabel('Edited prompt 1', { exact: true }).fill('a dog sitting on a table');
  await page.getByLabel('Steps', { exact: true }).fill('8');
  await page.getByLabel('Cross-attention replace steps', { exact: true }).fill('0.7');
  await expect(page.locator('.diff-swapped')).toHaveText('dog ');
  await page.getByRole('button', { name: /^Generate/ }).click();
  await expect(page.getByTestId('run-status')).toContainText(/UNet call|Loading/);
  await waitForDone(page);
  await expect(page.getByTestId('attention-tiles').locator('li')).not.toHaveCount(0);
  await expect(page.getByTestId('attention-tiles')).toContainText('dog');
  const pixels = await resultPixels(page);
  expect(pixels).toHaveLength(4); // source + edit, with the no-controller baseline row
  for (const p of pixels) expect(p).toMatch(/^64x64:/);
  await page.screenshot({ path: testInfo.outputPath('studio-results.png'), fullPage: true });
  expect(await seriousViolations(page)).toEqual([]);

  // The address bar holds a version 2 link (`?r=2.…`); the share button copies the same link.
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await page.getByRole('button', { name: 'Copy link' }).click();
  await expect(page.getByRole('button', { name: 'Link copied' })).toBeVisible();
  const link = await page.evaluate(() => navigator.clipboard.readText());
  expect(link).toBe(page.url());
  expect(new URL(link).searchParams.get('r')).toMatch(/^2\.[\w-]+$/);
  const shared = await linkParams(link);
  expect(shared.get('p')).toBe('a cat sitting on a table');
  expect(shared.get('model')).toBe('toy-emoji');
  expect(shared.get('cross')).toBe('0.7');
  expect(shared.get('backend')).toBe('wasm');
  const second = await context.newPage();
  await second.setViewportSize({ width: 1400, height: 1100 });
  await second.goto(link);
  await expect(second.getByLabel('Edited prompt 1', { exact: true })).toHaveValue('a dog sitting on a table');
  await expect(second.getByLabel('Steps', { exact: true })).toHaveValue('8');
  await waitForDone(second);
  await second.screenshot({ path: testInfo.outputPath('studio-shared-link.png'), fullPage: true });
  expect(await resultPixels(second)).toEqual(pixels);
});

test('a hostile share link opens with safe values and says what it ignored', async ({ page }, testInfo) => {
  const dialogs: string[] = [];
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  await page.goto('/?p=%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E&e=a+red+square&steps=1000000000&g=NaN&seed=-1&cross=7&zzz=1&model=toy-shapes&backend=wasm');
  const notice = page.getByTestId('link-notice');
  await expect(notice).toContainText('steps="1000000000"');
  await expect(notice).toContainText('g="NaN"');
  await expect(notice).toContainText('unknown parameter "zzz"');
  await page.screenshot({ path: testInfo.outputPath('studio-link-notice.png') });
  await expect(page.getByLabel('Source prompt', { exact: true })).toHaveValue('<img src=x onerror=alert(1)>');
  await expect(page.getByLabel('Steps', { exact: true })).toHaveValue('20');
  await expect(page.locator('img[src=x]')).toHaveCount(0);
  expect(dialogs).toEqual([]);
});

test('an engine error shows next to the control it concerns', async ({ page }) => {
  test.setTimeout(120_000);
  await page.goto('/?backend=wasm');
  await page.getByLabel('Edited prompt 1', { exact: true }).fill('a painting of a big squirrel eating a burger');
  await openSection(page, 'prompt-options');
  await page.getByLabel('Edit kind', { exact: true }).selectOption('replace');
  await page.getByRole('button', { name: /^Generate/ }).click();
  const kindField = page.locator('.field', { has: page.getByLabel('Edit kind', { exact: true }) });
  await expect(kindField.getByRole('alert')).toContainText('prompt A has 8 words and prompt B has 9 words', { timeout: 90_000 });
  await expect(page.getByText('see the message next to the highlighted control')).toBeVisible();
});

test('LocalBlend words are picked as chips per prompt and travel in the link', async ({ page }) => {
  await page.goto('/?backend=wasm');
  await page.getByLabel('Source prompt', { exact: true }).fill('a red car');
  await page.getByLabel('Edited prompt 1', { exact: true }).fill('a red bus');
  await openSection(page, 'local-edit');
  await page.getByLabel('restrict the edit to the words\' region').check();
  const source = page.getByRole('group', { name: 'Source words' });
  await expect(source.getByRole('button', { name: 'car' })).toHaveAttribute('aria-pressed', 'true');
  await source.getByRole('button', { name: 'red' }).click();
  await expect(source.getByRole('button', { name: 'red' })).toHaveAttribute('aria-pressed', 'true');
  await page.getByRole('group', { name: 'Edit 1 words' }).getByRole('button', { name: 'bus' }).click();
  await expect.poll(async () => (await linkParams(page.url())).getAll('b')).toEqual(['car,red', '']);
});

test('a share link with a negative prompt opens with it filled in, and the negative prompt changes the pixels', async ({ page }) => {
  test.setTimeout(300_000);
  const recipe = { ...DEFAULT_RECIPE, prompt: 'a red car', edits: ['a red bus'], negativePrompt: 'red', steps: 6, baseline: false };
  await page.goto(`/?${await encodeLink(recipe)}&backend=wasm`);
  const negative = page.getByLabel('Negative prompt (optional)', { exact: true });
  await expect(negative).toHaveValue('red');
  const field = page.locator('.field', { has: negative });
  // Counted by the model's own tokenizer: start, "red", end.
  await expect(field.getByTestId('token-count')).toHaveText('3 of 77 tokens (start and end included)');
  await waitForDone(page);
  const withNegative = await resultPixels(page);
  expect(withNegative).toHaveLength(2);
  expect((await linkParams(page.url())).get('n')).toBe('red');

  // Too long: the same message as a prompt's, next to the field, and Generate waits.
  await negative.fill('n'.repeat(MAX_PROMPT_CHARS + 1));
  await expect(field.getByRole('alert')).toContainText(`the limit is ${MAX_PROMPT_CHARS}`);
  await expect(page.getByRole('button', { name: /^Generate/ })).toBeDisabled();

  // Without it, the same seed gives other pixels, and the link no longer carries one.
  await negative.fill('');
  await expect(field.getByRole('alert')).toHaveCount(0);
  await page.getByRole('button', { name: /^Generate/ }).click();
  await waitForDone(page);
  const without = await resultPixels(page);
  expect(without).toHaveLength(2);
  expect(without[0]).not.toBe(withNegative[0]);
  expect(without[1]).not.toBe(withNegative[1]);
  await expect.poll(async () => (await linkParams(page.url())).has('n')).toBe(false);
  expect(await seriousViolations(page)).toEqual([]);
});
