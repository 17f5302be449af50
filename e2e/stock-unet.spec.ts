/**
 * A model whose UNet the attention instrumentation cannot take (every Softmax written out as Exp / ReduceSum /
 * Div, as some exporters do; tests/helpers/stockOnlyUnet.ts), served by the mock Hub: the run stops with the
 * reason and nothing runs on its own; "Run without edits" loads the stock UNet, says edits are off, and generates
 * each prompt plainly — the same pixels as the embedded model's no-controller row for the same seed.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test, type Page } from '@playwright/test';
import { startMockHub, type MockHub } from '../scripts/mock-hub';
import { decomposeSoftmax } from '../tests/helpers/stockOnlyUnet';

const REPO = 'local/toy-stock';
let hub: MockHub;
let folder = '';

test.beforeAll(async () => {
  const toy = fileURLToPath(new URL('../public/models/toy-shapes', import.meta.url));
  folder = mkdtempSync(join(tmpdir(), 'p2p-stock-'));
  cpSync(toy, folder, { recursive: true });
  writeFileSync(join(folder, 'unet/model.onnx'), decomposeSoftmax(new Uint8Array(readFileSync(join(toy, 'unet/model.onnx')))));
  hub = await startMockHub({ repos: { [REPO]: folder }, port: 0 });
});
test.afterAll(async () => {
  await hub?.close();
  if (folder) rmSync(folder, { recursive: true, force: true });
});

async function finalPixels(page: Page): Promise<number[][]> {
  return page.evaluate(() =>
    [...document.querySelectorAll<HTMLCanvasElement>('[data-testid^="result-"] canvas.final')].map((c) => [...c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data]),
  );
}

test('a UNet that cannot be instrumented runs only when chosen, without edits, as the no-controller baseline', async ({ page }) => {
  test.setTimeout(240_000);
  const query = 'p=a+red+circle&e=a+red+square&steps=2&seed=7';
  // The reference: the embedded model's no-controller row for the same prompts and seed.
  await page.goto(`/?backend=wasm&${query}&base=1`);
  await expect(page.getByTestId('run-status')).toHaveText(/Done\./, { timeout: 120_000 });
  const reference = (await finalPixels(page)).slice(2);
  expect(reference).toHaveLength(2);

  await page.goto(`/?backend=wasm&hub=${encodeURIComponent(hub.url)}&model=${REPO}&${query}&base=0`);
  await page.getByTestId('confirm-download').getByRole('button', { name: 'Download and generate' }).click();
  const error = page.getByTestId('run-error');
  await expect(error).toContainText('could not be instrumented: no attention layers found', { timeout: 90_000 });
  await expect(page.locator('[data-testid^="result-"] canvas.final')).toHaveCount(0); // nothing ran on its own

  await error.getByRole('button', { name: 'Run without edits (the stock UNet)' }).click();
  await expect(page.getByTestId('run-status')).toHaveText(/Done\./, { timeout: 120_000 });
  await expect(page.getByTestId('stock-unet')).toContainText(`Edits are off for ${REPO}`);
  const stock = await finalPixels(page);
  expect(stock).toHaveLength(2);
  // Softmax written out differs from the fused one by ~1e-6: the same images, give or take 1/255.
  stock.forEach((img, i) => expect(Math.max(...img.map((v, k) => Math.abs(v - reference[i]![k]!))), `prompt ${i}`).toBeLessThanOrEqual(1));
});
