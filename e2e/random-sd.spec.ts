/**
 * A Stable Diffusion 1.5-structured pipeline as a Hub export writes it (`npm run random-sd -- --scale mini`: SD's
 * blocks at small widths, random weights, dynamic height/width, external data for every graph, the vocab.json +
 * merges.txt tokenizer) is downloaded from the mock Hub, resolved, instrumented and run by the studio to an image
 * and heatmaps; so is the LDM text2im-shaped mini (`--pipeline ldm`: LDM-BERT, WordPiece vocab.txt, DDIM config).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { startMockHub, type MockHub } from '../scripts/mock-hub';
import { writeRandomSd } from '../scripts/random-sd/writeRandomSd';

const REPO = 'local/random-sd-mini';
const LDM = 'local/random-ldm-mini';
let hub: MockHub;
let dir = '';
let ldmDir = '';

test.beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'random-sd-e2e-'));
  ldmDir = mkdtempSync(join(tmpdir(), 'random-ldm-e2e-'));
  writeRandomSd({ scale: 'mini', out: dir });
  writeRandomSd({ scale: 'mini', pipeline: 'ldm', out: ldmDir });
  hub = await startMockHub({ root: dir, repo: REPO, repos: { [LDM]: ldmDir }, port: 0 });
});
test.afterAll(async () => {
  await hub?.close();
  for (const d of [dir, ldmDir]) if (d) rmSync(d, { recursive: true, force: true });
});

test('the studio downloads the mini random SD pipeline from the Hub, edits with it and shows heatmaps', async ({ page }) => {
  test.setTimeout(240_000);
  const link = `/?backend=wasm&hub=${encodeURIComponent(hub.url)}&model=${REPO}&p=a+cat+riding+a+bicycle&e=a+dog+riding+a+bicycle&steps=2&base=0`;
  await page.goto(link);
  const confirm = page.getByTestId('confirm-download');
  await confirm.getByRole('button', { name: 'Download and generate' }).click();
  await expect(page.getByTestId('download-status')).toContainText(`Downloaded ${REPO}`, { timeout: 90_000 });
  await expect(page.getByTestId('run-status')).toHaveText(/Done\./, { timeout: 150_000 });
  // Every graph's external data came from the Hub.
  const paths = hub.requests.map((r) => r.path);
  for (const c of ['text_encoder', 'unet', 'vae_decoder']) expect(paths).toContain(`${c}/model.onnx_data`);
  const finals = page.locator('[data-testid^="result-"] canvas.final');
  await expect(finals).toHaveCount(2);
  const size = await finals.first().evaluate((c: HTMLCanvasElement) => [c.width, c.height]);
  expect(size).toEqual([256, 256]);
  // Two different images (random weights: noise, but the edit changes it).
  const pixels = await finals.evaluateAll((cs: HTMLCanvasElement[]) => cs.map((c) => c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data.join()));
  expect(pixels[0]).not.toBe(pixels[1]);
  // The swapped word's attention overlays the edit.
  await page.getByTestId('prompt-lines').getByRole('button', { name: /^dog \(swapped\)/ }).hover();
  const heat = page.getByTestId('heat-1');
  await expect(heat).toBeVisible();
  const alpha = await heat.locator('canvas').evaluate((c: HTMLCanvasElement) => {
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    const a = d.filter((_, i) => i % 4 === 3);
    return [Math.min(...a), Math.max(...a)];
  });
  expect(alpha).toEqual([0, 255]);
});

test('the LDM text2im-shaped mini (WordPiece vocab.txt, LDM-BERT) downloads, edits and shows a word piece heatmap', async ({ page }) => {
  test.setTimeout(240_000);
  const link = `/?backend=wasm&hub=${encodeURIComponent(hub.url)}&model=${LDM}&p=a+cat+riding+a+bicycle&e=a+dog+riding+a+bicycle&steps=2&base=0`;
  await page.goto(link);
  await page.getByTestId('confirm-download').getByRole('button', { name: 'Download and generate' }).click();
  await expect(page.getByTestId('download-status')).toContainText(`Downloaded ${LDM}`, { timeout: 90_000 });
  await expect(page.getByTestId('run-status')).toHaveText(/Done\./, { timeout: 150_000 });
  expect(hub.requests.map((r) => r.path)).toContain('tokenizer/vocab.txt');
  const finals = page.locator('[data-testid^="result-"] canvas.final');
  await expect(finals).toHaveCount(2);
  await page.getByTestId('prompt-lines').getByRole('button', { name: /^dog \(swapped\)/ }).hover();
  await expect(page.getByTestId('heat-1')).toBeVisible();
});
