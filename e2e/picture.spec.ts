/**
 * Editing your own picture in the studio (issue #21): choose one (file input) or drop one, the run inverts it with
 * the source prompt and edits it; the reconstruction sits next to the edit, close to the picture; the attention
 * maps follow the picture's object (its place moves with the picture); the CLI writes the same images for the same
 * recipe and picture; a file that is not a picture is refused with a message, keeping the current one.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { PNG } from 'pngjs';
import { imageToSample, psnr, toRgba } from '../src/diffusion';
import { seriousViolations } from './helpers/axe';

const PICTURES = 'tests/fixtures/pictures';

/** The picture as the model sees it (centre square at 32 px), as RGBA. */
function asModelSees(file: string): Uint8ClampedArray {
  const png = PNG.sync.read(readFileSync(join(PICTURES, file)));
  return toRgba(imageToSample(png.data, png.width, png.height, 32), [1, 3, 32, 32])[0];
}

async function canvasRgba(page: Page, selector: string): Promise<number[]> {
  return page.locator(selector).first().evaluate((c: HTMLCanvasElement) => [...c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data]);
}

/** Where a token's 8×8 map is brightest (or darkest), in the 32-px picture's coordinates: above-mean weighted centroid. */
async function mapCentroid(page: Page, token: string, dark: boolean): Promise<[number, number]> {
  const rgba = await canvasRgba(page, `canvas[aria-label="attention of “${token}”"]`);
  const side = Math.sqrt(rgba.length / 4);
  const v = Array.from({ length: side * side }, (_, i) => (dark ? 255 - rgba[i * 4] : rgba[i * 4]));
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  let [sx, sy, sw] = [0, 0, 0];
  v.forEach((x, i) => {
    const w = Math.max(0, x - mean);
    sx += w * ((i % side) + 0.5);
    sy += w * (Math.floor(i / side) + 0.5);
    sw += w;
  });
  return [(sx / sw) * (32 / side), (sy / sw) * (32 / side)];
}

/** Gives the page a test picture as a user would without the file dialog: dropped on the panel, or pasted. */
async function handOver(page: Page, file: string, how: 'drop' | 'paste'): Promise<void> {
  const b64 = readFileSync(join(PICTURES, file)).toString('base64');
  await page.evaluate(
    ({ b64, file, how }) => {
      const transfer = new DataTransfer();
      transfer.items.add(new File([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))], file, { type: 'image/png' }));
      const init = { bubbles: true, cancelable: true };
      if (how === 'drop') document.querySelector('[data-testid="picture-drop"]')!.dispatchEvent(new DragEvent('drop', { ...init, dataTransfer: transfer }));
      else document.dispatchEvent(new ClipboardEvent('paste', { ...init, clipboardData: transfer }));
    },
    { b64, file, how },
  );
}

async function generate(page: Page): Promise<void> {
  await page.getByRole('button', { name: /^Generate/ }).click();
  await expect(page.getByTestId('run-status')).toHaveText(/Done\./, { timeout: 120_000 });
}

test('a chosen picture is inverted and edited: reconstruction next to the edit, maps on its object, CLI parity', async ({ page }, testInfo) => {
  test.setTimeout(300_000);
  await page.setViewportSize({ width: 1280, height: 720 });
  await page.goto('/?backend=wasm');
  await page.getByLabel('Picture to edit').setInputFiles(join(PICTURES, 'star-yellow.png'));
  await expect(page.getByTestId('picture-panel')).toContainText('star-yellow.png');
  await expect(page.getByTestId('picture-panel')).toContainText('32×32');
  // The default emoji model has no VAE encoder: the panel says so before any run and offers the toy shapes model,
  // which brings its own starting prompts.
  await expect(page.getByTestId('picture-model')).toContainText('The toy-emoji model has no VAE encoder, so it cannot take a picture');
  expect(await seriousViolations(page)).toEqual([]);
  await page.getByRole('button', { name: 'Use the toy shapes model' }).click();
  await expect(page.getByTestId('picture-model')).toHaveCount(0);
  await expect(page.getByLabel('Source prompt', { exact: true })).toHaveValue('a yellow star');
  await expect(page.getByLabel('Edited prompt 1', { exact: true })).toHaveValue('a yellow heart');
  await generate(page);
  await expect(page.getByTestId('stage-source')).toContainText('Reconstruction of your picture');
  // `SCREENSHOTS=1` writes the README's picture; otherwise it goes with the test's output.
  await page.screenshot({ path: process.env.SCREENSHOTS ? 'docs/screenshots/picture-1280.png' : testInfo.outputPath('picture-1280.png') });

  // The reconstruction is close to the picture (docs/inversion.md: 29.7 dB at 20 steps on onnxruntime-node).
  const picture = asModelSees('star-yellow.png');
  const source = await canvasRgba(page, '[data-testid="result-source-0"] canvas.final');
  const edit = await canvasRgba(page, '[data-testid="result-edit-1-1"] canvas.final');
  expect(psnr(source, picture)).toBeGreaterThan(26);
  expect(psnr(edit, source)).toBeLessThan(30); // the edit changed it

  // The maps follow the picture's object (a star at (21, 10)): attention leaves the start token there and the end
  // token gathers it (the toy model's word maps are spread: tools/toy-model/REPORT.md).
  const near = ([x, y]: [number, number], [cx, cy]: [number, number]) => Math.hypot(x - cx, y - cy);
  expect(near(await mapCentroid(page, '<|startoftext|>', true), [21, 10])).toBeLessThan(4);
  expect(near(await mapCentroid(page, '<|endoftext|>', false), [21, 10])).toBeLessThan(4);

  // The CLI, given the same recipe and picture, writes the same images (onnxruntime-node vs wasm: within 2/255).
  const out = mkdtempSync(join(tmpdir(), 'p2p-picture-'));
  try {
    execFileSync('npx', ['tsx', 'scripts/generate.ts', '--model', 'public/models/toy-shapes', '--prompt', 'a yellow star', '--edit', 'a yellow heart', '--image', join(PICTURES, 'star-yellow.png'), '--seed', '8888', '--steps', '20', '--cross', '0.4', '--self', '0.2', '--out', out], { stdio: 'pipe', timeout: 120_000 });
    for (const [file, shown] of [['0-a-yellow-star.png', source], ['1-a-yellow-heart.png', edit]] as const) {
      const cli = PNG.sync.read(readFileSync(join(out, file)));
      expect(Math.max(...[...cli.data].map((v, i) => Math.abs(v - shown[i]))), file).toBeLessThanOrEqual(2);
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }

  // Another picture, dropped: the results are from the earlier picture until the next run; then the maps move to
  // its object (a circle on the left, at (9, 12)).
  await handOver(page, 'circle-red-left.png', 'drop');
  await expect(page.getByTestId('picture-panel')).toContainText('circle-red-left.png');
  await expect(page.getByRole('button', { name: /^Generate/ })).toHaveText('Generate (settings changed)');
  await page.getByLabel('Source prompt', { exact: true }).fill('a red circle on the left');
  await page.getByLabel('Edited prompt 1', { exact: true }).fill('a red square on the left');
  await generate(page);
  const circle = await canvasRgba(page, '[data-testid="result-source-0"] canvas.final');
  expect(psnr(circle, asModelSees('circle-red-left.png'))).toBeGreaterThan(26);
  expect(near(await mapCentroid(page, '<|startoftext|>', true), [9, 12])).toBeLessThan(4);

  // Not a picture: refused with a message; the current picture stays. Remove goes back to generating.
  await page.getByLabel('Picture to edit').setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('hello') });
  await expect(page.getByTestId('picture-error')).toContainText('notes.txt is not a picture');
  await expect(page.getByTestId('picture-panel')).toContainText('circle-red-left.png');
  await page.getByRole('button', { name: 'Remove', exact: true }).click();
  await expect(page.getByTestId('picture-panel')).toContainText('Choose a picture');
  await generate(page);
  await expect(page.getByTestId('stage-source')).not.toContainText('Reconstruction');

  // The history keeps a picture run with its picture: reopening brings back the picture, the inversion and the pixels.
  const entries = page.getByTestId('history-entry');
  await expect(entries).toHaveCount(3);
  const starRun = entries.filter({ hasText: 'your picture star-yellow.png' });
  await expect(starRun).toHaveCount(1);
  await starRun.getByRole('button', { name: /^Open “/ }).click();
  await expect(page.getByTestId('picture-panel')).toContainText('star-yellow.png');
  await expect(page.getByTestId('stage-source')).toContainText('Reconstruction of your picture');
  await expect(page.getByLabel('Source prompt', { exact: true })).toHaveValue('a yellow star');
  await expect.poll(() => canvasRgba(page, '[data-testid="result-source-0"] canvas.final')).toEqual(source);
  await expect(page.getByRole('button', { name: /^Generate/ })).toHaveText('Generate'); // not stale: the picture came back

  // Pasting a picture anywhere on the page takes it.
  await handOver(page, 'heart-pink-96.png', 'paste');
  await expect(page.getByTestId('picture-panel')).toContainText('heart-pink-96.png');
  await expect(page.getByTestId('picture-panel')).toContainText('96×96');
});
