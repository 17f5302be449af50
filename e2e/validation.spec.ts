/**
 * What the studio accepts, as a new user meets it: a typed number out of range stays as typed, shows
 * the accepted range next to its field and blocks Generate; each prompt counts its tokens with the
 * model's tokenizer and marks the words beyond token 77; prompts stop at the one length limit a share
 * link carries; the example picker keeps its choice and says what it teaches. axe-core: no serious issue.
 */
import { expect, test, type Page } from '@playwright/test';
import { seriousViolations } from './helpers/axe';
import { linkParams } from './helpers/link';
import { openSection } from './helpers/sections';

/** MAX_PROMPT_CHARS in src/state/recipe.ts (the codec's limit), repeated here as the reference. */
const MAX_PROMPT_CHARS = 500;


const field = (page: Page, label: string) => page.locator('.field', { has: page.getByLabel(label, { exact: true }) });
const generate = (page: Page) => page.getByRole('button', { name: /^Generate/ });
/** One recipe value from the address bar (a version 2 link, read as the app reads it). */
const param = async (page: Page, key: string) => (await linkParams(page.url())).get(key);

test('an out-of-range number stays as typed, shows the accepted range and blocks Generate', async ({ page }) => {
  await page.goto('/?backend=wasm');
  const steps = page.getByLabel('Steps', { exact: true });
  for (const typed of ['1e9', '-5', '']) {
    await steps.fill(typed);
    await expect(steps).toHaveValue(typed);
    await expect(steps).toHaveAttribute('aria-invalid', 'true');
    await expect(field(page, 'Steps').getByRole('alert')).toContainText('enter an integer from 1 to 150');
    await expect(steps).toHaveAccessibleDescription(/an integer from 1 to 150/);
    await expect(generate(page)).toBeDisabled();
    await expect(page.getByTestId('run-blocked')).toContainText('Steps:');
    expect(await param(page, 'steps')).toBe('20'); // the recipe (and the link) keep the last accepted value
  }
  // Ctrl+Enter does not go around the block.
  await page.keyboard.press('Control+Enter');
  await expect(page.getByTestId('run-status')).toHaveText('Press Generate (Ctrl+Enter).');

  await openSection(page, 'sampling');
  const guidance = page.getByLabel('Guidance scale', { exact: true });
  await guidance.fill('1e9');
  await expect(guidance).toHaveValue('1e9');
  await expect(field(page, 'Guidance scale').getByRole('alert')).toContainText('a number from 0 to 30');
  await expect(page.getByTestId('run-blocked')).toContainText('Guidance scale:');
  const cross = page.getByLabel('Cross-attention replace steps value', { exact: true });
  await cross.fill('1.5');
  await expect(cross).toHaveValue('1.5');
  await expect(cross).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByTestId('run-blocked')).toContainText('a number from 0 to 1');
  expect(await seriousViolations(page)).toEqual([]);

  // Fixing each field unblocks, and the fixed values reach the recipe.
  await steps.fill('12');
  await guidance.fill('6');
  await cross.fill('0.6');
  await expect(page.getByTestId('run-blocked')).toHaveCount(0);
  await expect(generate(page)).toBeEnabled();
  await expect(steps).toHaveAttribute('aria-invalid', 'false');
  await expect.poll(async () => [await param(page, 'steps'), await param(page, 'g'), await param(page, 'cross')]).toEqual(['12', '6', '0.6']);
  await expect(page.getByLabel('Cross-attention replace steps', { exact: true })).toHaveValue('0.6');
});

test('seed, reweight factors, windows and the LocalBlend threshold refuse bad values the same way', async ({ page }) => {
  // The reweighting example is the toy-shapes model's (the emoji model has none yet).
  await page.goto('/?model=toy-shapes&backend=wasm');
  const seed = page.getByLabel('Seed', { exact: true });
  await seed.fill('-1');
  await expect(field(page, 'Seed').getByRole('alert')).toContainText('an integer from 0 to 4294967295');
  await seed.fill('7');
  await page.getByLabel('Examples').selectOption({ label: 'Reweight a word (×3 “small”)' });
  const weight = page.getByLabel('small', { exact: true });
  await expect(weight).toHaveValue('3');
  await weight.fill('11');
  await expect(field(page, 'small').getByRole('alert')).toContainText('a number from -10 to 10');
  await expect(generate(page)).toBeDisabled();
  await weight.fill('2');
  await expect(generate(page)).toBeEnabled();
  await expect.poll(() => param(page, 'w')).toBe('small:2');

  await field(page, 'Self-attention replace steps').getByLabel('range').check();
  const selfField = field(page, 'Self-attention replace steps end value');
  await page.getByLabel('Self-attention replace steps start value').fill('0.5');
  await page.getByLabel('Self-attention replace steps end value').fill('0.3');
  await expect(page.getByLabel('Self-attention replace steps end value')).toHaveValue('0.3');
  // The window is [0, 0.2] until the start is accepted: 0.5 waits, shown as after the end.
  await expect(selfField.getByRole('alert')).toContainText('The start (0.5) is after the end (0.3)');
  await expect(generate(page)).toBeDisabled();
  await page.getByLabel('Self-attention replace steps end value').fill('0.7');
  await expect(generate(page)).toBeEnabled();
  await expect.poll(() => param(page, 'self')).toBe('0.5-0.7');
  await expect(page.getByLabel('Self-attention replace steps end', { exact: true })).toHaveValue('0.7'); // the slider follows

  await openSection(page, 'local-edit');
  await page.getByLabel("restrict the edit to the words' region").check();
  const threshold = page.getByLabel('Mask threshold value');
  await threshold.fill('2');
  await expect(field(page, 'Mask threshold').getByRole('alert')).toContainText('a number from 0 to 1');
  await expect(generate(page)).toBeDisabled();
  // Turning LocalBlend off removes the control, and with it the block.
  await page.getByLabel("restrict the edit to the words' region").uncheck();
  await expect(generate(page)).toBeEnabled();
});

test('an empty prompt is flagged next to its field', async ({ page }) => {
  await page.goto('/?backend=wasm');
  await page.getByLabel('Edited prompt 1', { exact: true }).fill('');
  await expect(field(page, 'Edited prompt 1').getByRole('alert')).toContainText('Empty');
  await expect(page.getByLabel('Edited prompt 1', { exact: true })).toHaveAttribute('aria-invalid', 'true');
  await expect(generate(page)).toBeDisabled();
  await expect(page.getByTestId('run-blocked')).toContainText('Edited prompt 1: Empty');
});

test('each prompt counts its tokens against 77 and marks the words beyond', async ({ page }) => {
  await page.goto('/?backend=wasm');
  const source = field(page, 'Source prompt');
  // "a painting of a squirrel eating a burger": BOS, 8 words of one token each on the emoji model's tokenizer, EOS.
  await expect(source.getByTestId('token-count')).toHaveText('10 of 77 tokens (start and end included)');
  // 80 one-token words: 82 with BOS and EOS, so the last 5 words do not fit (75 prompt tokens are kept).
  const words = Array.from({ length: 80 }, (_, i) => (i < 75 ? 'red' : 'blue'));
  await page.getByLabel('Source prompt', { exact: true }).fill(words.join(' '));
  await expect(source.getByTestId('token-count')).toHaveText('82 of 77 tokens (start and end included)');
  const overflow = source.getByTestId('token-overflow');
  await expect(overflow).toContainText('the last 5 are dropped');
  await expect(overflow.locator('mark')).toHaveText(['blue', 'blue', 'blue', 'blue', 'blue']);
  // The count is read with the field.
  await expect(page.getByLabel('Source prompt', { exact: true })).toHaveAccessibleDescription(/82 of 77 tokens/);
  await expect(generate(page)).toBeEnabled(); // over 77 tokens is a warning (the engine truncates), not an error
  expect(await seriousViolations(page)).toEqual([]);
});

test('prompts stop at the share link limit, and a link at the limit reproduces the prompt', async ({ page, context }) => {
  await page.setViewportSize({ width: 1400, height: 1000 });
  await page.goto('/?backend=wasm');
  const prompt = page.getByLabel('Source prompt', { exact: true });
  const over = `a red circle ${'x'.repeat(MAX_PROMPT_CHARS)}`;
  await prompt.fill(over);
  await expect(prompt).toHaveValue(over); // kept as typed, not cut
  const source = field(page, 'Source prompt');
  await expect(source.getByRole('alert')).toContainText(`the limit is ${MAX_PROMPT_CHARS}`);
  await expect(source.getByTestId('char-count')).toHaveText(` · ${over.length} of ${MAX_PROMPT_CHARS} characters`);
  await expect(generate(page)).toBeDisabled();

  const atLimit = over.slice(0, MAX_PROMPT_CHARS);
  await prompt.fill(atLimit);
  await expect(source.getByRole('alert')).toHaveCount(0);
  await expect(generate(page)).toBeEnabled();
  // The results' captions of a long prompt neither stretch the page sideways nor run on for lines.
  test.setTimeout(180_000);
  await page.getByLabel('Steps', { exact: true }).fill('2');
  await generate(page).click();
  await expect(page.getByTestId('run-status')).toHaveText(/Done\./, { timeout: 120_000 });
  const caption = page.locator('[data-testid="result-source-0"] .cell-prompt').first();
  await expect(caption).toHaveAttribute('title', atLimit);
  const lineHeight = await caption.evaluate((e) => parseFloat(getComputedStyle(e).lineHeight));
  expect((await caption.boundingBox())!.height).toBeLessThanOrEqual(3 * lineHeight + 1);
  const wide = await page.evaluate(() =>
    [...document.querySelectorAll('body *')].filter((e) => e.getBoundingClientRect().right > 1400).map((e) => `${e.tagName}.${e.className}`).slice(0, 8),
  );
  expect(wide, 'elements past the viewport').toEqual([]);
  const second = await context.newPage();
  await second.goto(page.url());
  await expect(second.getByLabel('Source prompt', { exact: true })).toHaveValue(atLimit);
  await expect(second.getByTestId('link-notice')).toHaveCount(0);
});

test('the example picker keeps the chosen example and says what it teaches', async ({ page }) => {
  await page.goto('/?backend=wasm');
  const picker = page.getByLabel('Examples');
  // A first visit holds the starting recipe, which is not one of the examples: it says so, not "your own settings".
  await expect(page.getByTestId('preset-teaches')).toContainText('The starting example: "a painting of a squirrel eating a burger" becomes "a painting of a lion eating a burger"');
  await picker.selectOption({ label: 'A cat on a table … in the snow' });
  await expect(picker).toHaveValue('emoji-refine');
  await expect(page.getByTestId('preset-teaches')).toBeVisible();
  await expect(page.getByTestId('preset-teaches')).toHaveText('Refinement: the added words change the scene, the cat and the table stay.');
  await expect(picker).toHaveAccessibleDescription(/the added words change the scene/);
  await expect(page.getByLabel('Edited prompt 1', { exact: true })).toHaveValue('a cat sitting on a table in the snow');
  // The choice survives a reload from the link …
  await page.reload();
  await expect(page.getByLabel('Examples')).toHaveValue('emoji-refine');
  // … and becomes "custom" once a control is changed by hand.
  await page.getByLabel('Steps', { exact: true }).fill('9');
  await expect(page.getByLabel('Examples')).toHaveValue('');
  await expect(page.getByTestId('preset-teaches')).toContainText('Your own settings');
});
