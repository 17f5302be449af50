/**
 * The run history (IndexedDB): finished runs are kept, listed newest first, survive a reload, reopen with the
 * same pixels and recipe, delete for good, and export as a ZIP of PNGs plus run.json whose images are the pixels
 * on screen. With the origin's storage quota cut (Chromium's real quota, through the DevTools protocol), the
 * oldest runs are evicted with a notice, and the run just made stays on screen.
 */
import { readFileSync } from 'node:fs';
import { expect, test, type CDPSession, type Page } from '@playwright/test';
import { unzipSync } from 'fflate';
import { PNG } from 'pngjs';
import { seriousViolations } from './helpers/axe';

/** Every final result canvas's RGBA, in order (source, edit, then the no-controller row). */
async function resultPixels(page: Page): Promise<number[][]> {
  return page.evaluate(() =>
    [...document.querySelectorAll<HTMLCanvasElement>('[data-testid^="result-"] canvas.final')].map((c) => [...c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data]),
  );
}

async function generate(page: Page): Promise<void> {
  await page.getByRole('button', { name: /^Generate/ }).click();
  await expect(page.getByTestId('run-status')).toHaveText(/Done\./, { timeout: 120_000 });
}

const entries = (page: Page) => page.getByTestId('history-entry');

/** A quota cut by a test, given back afterwards even when the test fails (the browser outlives the test). */
let cutQuota: { cdp: CDPSession; origin: string } | undefined;
test.afterEach(async () => {
  await cutQuota?.cdp.send('Storage.overrideQuotaForOrigin', { origin: cutQuota.origin }).catch(() => undefined);
  cutQuota = undefined;
});

test('a finished run is kept, survives a reload, reopens with the same pixels, exports as a ZIP and deletes', async ({ page }) => {
  test.setTimeout(300_000);
  await page.goto('/?backend=wasm');
  await expect(page.getByTestId('history')).toContainText('Finished runs are kept here');
  await page.getByLabel('Steps', { exact: true }).fill('3');
  await generate(page);
  const first = await resultPixels(page);
  expect(first).toHaveLength(4);
  await expect(entries(page)).toHaveCount(1);
  await expect(entries(page).first()).toContainText('a painting of a squirrel eating a burger → a painting of a lion eating a burger');
  await expect(entries(page).first()).toContainText('toy-emoji · seed 8888 · 3 steps');

  await page.getByLabel('Seed', { exact: true }).fill('1234');
  await generate(page);
  const second = await resultPixels(page);
  expect(second[1]).not.toEqual(first[1]);
  await expect(entries(page)).toHaveCount(2);
  await expect(entries(page).first()).toContainText('seed 1234'); // newest first

  await page.reload();
  await expect(entries(page)).toHaveCount(2);
  await expect(page.getByLabel('Seed', { exact: true })).toHaveValue('1234'); // the address bar's recipe
  expect(await seriousViolations(page)).toEqual([]);

  // Reopen the older run: its recipe comes back to the controls and the link, its pixels to the stage.
  await entries(page).nth(1).getByRole('button', { name: /^Open “/ }).click();
  await expect(page.getByLabel('Seed', { exact: true })).toHaveValue('8888');
  await expect(page.getByTestId('run-status')).toHaveText('Done.'); // not "from earlier settings"
  await expect.poll(() => resultPixels(page)).toEqual(first);
  // Its attention came back too: the per-token strips show the source's maps.
  await expect(page.getByRole('img', { name: 'attention of “squirrel”' })).toBeVisible();
  // Generating the reopened recipe again gives the same pixels as the stored ones.
  await generate(page);
  expect(await resultPixels(page)).toEqual(first);
  await expect(entries(page)).toHaveCount(3);

  // Export all: one folder per run, each image a PNG of exactly the pixels shown, and run.json.
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export all (ZIP)' }).click();
  const zipPath = await (await download).path();
  const files = unzipSync(new Uint8Array(readFileSync(zipPath)));
  const names = Object.keys(files).sort();
  expect(names.filter((n) => n.endsWith('/run.json'))).toHaveLength(3);
  expect(names.filter((n) => n.endsWith('.png'))).toHaveLength(12);
  const oldest = names.find((n) => n.endsWith('/run.json') && JSON.parse(new TextDecoder().decode(files[n])).recipe.seed === 8888)!;
  const folder = oldest.slice(0, -'run.json'.length);
  const run = JSON.parse(new TextDecoder().decode(files[oldest]));
  expect(run).toMatchObject({ model: 'toy-emoji', recipe: { prompt: 'a painting of a squirrel eating a burger', edits: ['a painting of a lion eating a burger'], steps: 3 } });
  expect(run.link).toMatch(/\?r=2\./);
  const edit = PNG.sync.read(Buffer.from(files[`${folder}edit-1.png`]));
  expect([...edit.data]).toEqual(first[1]);

  // Delete the newest: gone from the list, and still gone after a reload.
  await entries(page).first().getByRole('button', { name: /^Delete “/ }).click();
  await expect(entries(page)).toHaveCount(2);
  await page.reload();
  await expect(entries(page)).toHaveCount(2);
});

test('when storage runs out the oldest runs are evicted with a notice, and the new run stays on screen', async ({ page, baseURL }) => {
  test.setTimeout(300_000);
  // Chromium's real quota, cut through the DevTools protocol before the origin first opens its storage (a quota
  // set later is not seen by a database already open): an empty history and the service worker take ~80 kB, a
  // 2-step run of the toy-shapes model ~57 kB (PNGs and maps), so about two runs fit. (The quotas here are sized
  // for that model's 32-px runs, hence `model=toy-shapes`.)
  const cdp = await page.context().newCDPSession(page);
  const origin = new URL(baseURL!).origin;
  await cdp.send('Storage.overrideQuotaForOrigin', { origin, quotaSize: 220_000 });
  cutQuota = { cdp, origin };
  await page.goto('/?model=toy-shapes&backend=wasm');
  await page.getByLabel('Steps', { exact: true }).fill('2');
  for (const seed of ['8888', '1', '2', '3']) {
    await page.getByLabel('Seed', { exact: true }).fill(seed);
    await generate(page);
    // The newest run is always kept (a save may wait for the browser to count freed space: up to ~2.5 s).
    await expect(entries(page).first()).toContainText(`seed ${seed}`, { timeout: 15_000 });
  }
  await expect(page.getByTestId('history-notice')).toContainText(/Storage was full: the (oldest run was|\d+ oldest runs were) removed from the history to keep a newer one/);
  await expect(entries(page).filter({ hasText: 'seed 8888' })).toHaveCount(0);
  expect(await entries(page).count()).toBeLessThan(4);
  // The run on screen is untouched.
  expect(await resultPixels(page)).toHaveLength(4);
});

test('a run that cannot fit even alone is reported, and stays on screen', async ({ page, baseURL }) => {
  test.setTimeout(180_000);
  const cdp = await page.context().newCDPSession(page);
  const origin = new URL(baseURL!).origin;
  await cdp.send('Storage.overrideQuotaForOrigin', { origin, quotaSize: 100_000 }); // an empty history and little more
  cutQuota = { cdp, origin };
  await page.goto('/?model=toy-shapes&backend=wasm'); // sized for the toy-shapes model's runs, as above
  await page.getByLabel('Steps', { exact: true }).fill('2');
  await generate(page);
  await expect(page.getByTestId('history-notice')).toContainText('The last run is not in the history');
  await expect(page.getByTestId('history-notice')).toContainText('It stays on screen');
  await expect(entries(page)).toHaveCount(0);
  expect(await resultPixels(page)).toHaveLength(4);
});
