/**
 * Hub models end to end against the mock Hub (serving the toy model as `local/toy-shapes`): a share link
 * asks first, then downloads with progress and generates; a reload uses the cache; faults; delete.
 */
import { fileURLToPath } from 'node:url';
import { expect, test, type Page } from '@playwright/test';
import { startMockHub, type FaultRule, type MockHub } from '../scripts/mock-hub';
import { indexFolder } from '../scripts/mock-hub/files';
import { makeFakeModel } from '../scripts/mock-hub/fixture';
import { removeTestTempDirs } from '../tests/helpers/tempDir';
import { formatBytes } from '../src/models/progress';
import { encodeLink } from '../src/state/linkCodec';
import { DEFAULT_RECIPE } from '../src/state/recipe';
import { openSection } from './helpers/sections';

const REPO = 'local/toy-shapes';
let hub: MockHub;
let startHub: (port: number) => Promise<MockHub>;
/** The repo's size as the picker and the confirmation show it (every file the mock Hub lists), and the UNet's. */
let repoSize = '';
let unetSize = '';

test.beforeAll(async () => {
  // A PyTorch-style pipeline (vae, UNet2DConditionModel) beside it, for the "not an ONNX export" message.
  const torch = await makeFakeModel({
    modelIndex: { _class_name: 'StableDiffusionPipeline', unet: ['diffusers', 'UNet2DConditionModel'], vae: ['diffusers', 'AutoencoderKL'], text_encoder: ['transformers', 'CLIPTextModel'], tokenizer: ['transformers', 'CLIPTokenizer'], scheduler: ['diffusers', 'PNDMScheduler'] },
  });
  const root = fileURLToPath(new URL('../public/models/toy-shapes', import.meta.url));
  startHub = (port) => startMockHub({ root, repo: REPO, repos: { 'local/torch-only': torch.dir }, port });
  const files = await indexFolder(root);
  repoSize = formatBytes([...files.values()].reduce((sum, f) => sum + f.size, 0));
  unetSize = formatBytes(files.get('unet/model.onnx')!.size);
  hub = await startHub(0);
});
test.afterAll(async () => {
  await hub?.close();
  removeTestTempDirs();
});
test.beforeEach(() => {
  hub.faults.clear();
  hub.requests.length = 0;
});

const fault = (rule: FaultRule) => hub.faults.set([rule]);
/** Requests for the repo's files: the log records them by path inside the repo (tree API calls keep their URL). */
const fileRequests = (path?: string) => hub.requests.filter((r) => !r.path.startsWith('/') && (path === undefined || r.path === path));

/** The picker page on the mock Hub's model (no prompt in the URL: not a share link, nothing starts). */
async function openPicker(page: Page): Promise<void> {
  await page.goto(`/?backend=wasm&hub=${encodeURIComponent(hub.url)}&model=${REPO}`);
  await expect(page.getByTestId('model-cache-state')).toContainText('not cached');
  await expect(page.getByTestId('model-facts')).toContainText(repoSize);
}

const status = (page: Page) => page.getByTestId('download-status');
const downloadButton = (page: Page) => page.getByRole('button', { name: /^(Download|Resume download)$/ });

test('a share link asks, downloads with progress, generates; a reload uses the cache; delete empties it', async ({ page }) => {
  test.setTimeout(150_000);
  const link = `/?backend=wasm&hub=${encodeURIComponent(hub.url)}&model=${REPO}&p=a+red+circle&e=a+red+square&steps=2&base=0`;
  // Slow the UNet a little so the progress is on screen long enough to be seen.
  fault({ fault: 'trickle', path: 'unet/model.onnx', chunkBytes: 256 * 1024, delayMs: 60 });
  await page.goto(link);
  const confirm = page.getByTestId('confirm-download');
  await expect(confirm).toContainText(repoSize);
  expect(fileRequests('unet/model.onnx')).toEqual([]); // nothing downloads before the user agrees
  await confirm.getByRole('button', { name: 'Download and generate' }).click();
  await expect(status(page)).toContainText(new RegExp(`Downloading local/toy-shapes: .* of ${repoSize.replace('.', '\\.')}`));
  await expect(page.getByRole('progressbar', { name: 'Download progress' })).toBeVisible();
  await expect(status(page)).toContainText('Downloaded local/toy-shapes', { timeout: 60_000 });
  await expect(page.getByTestId('run-status')).toHaveText(/Done\./, { timeout: 90_000 });
  await expect(page.locator('[data-testid^="result-"] canvas.final')).toHaveCount(2);
  await expect(page.getByTestId('model-cache-state')).toContainText('cached (');

  // Reload with the mock Hub stopped: the model, its index and its file list all come from the cache.
  const port = Number(new URL(hub.url).port);
  await hub.close();
  try {
    await page.reload();
    await expect(page.getByTestId('run-status')).toHaveText(/Done\./, { timeout: 90_000 });
    await expect(page.getByTestId('confirm-download')).toHaveCount(0);
    await expect(page.locator('[data-testid^="result-"] canvas.final')).toHaveCount(2);
  } finally {
    hub = await startHub(port);
  }
  expect(hub.requests).toEqual([]);

  const cached = page.getByTestId('cached-models');
  await expect(cached).toContainText(/local\/toy-shapes@main .* complete/);
  await cached.getByRole('button', { name: /^Delete local\/toy-shapes/ }).click();
  await expect(cached).toContainText('No models cached');
  await expect(page.getByTestId('model-cache-state')).toContainText('not cached');
});

test('a version 2 link to a Hub model that is not cached asks first, also offline, then downloads and generates', async ({ page }) => {
  test.setTimeout(150_000);
  const r = await encodeLink({ ...DEFAULT_RECIPE, model: REPO, prompt: 'a red circle', edits: ['a red square'], steps: 2, baseline: false });
  expect(r).toMatch(/^r=2\./);
  const link = `/?${r}&backend=wasm&hub=${encodeURIComponent(hub.url)}`;
  // Offline: the mock Hub is stopped. The link still opens on its recipe and asks; nothing is fetched.
  const port = Number(new URL(hub.url).port);
  await hub.close();
  try {
    await page.goto(link);
    await expect(page.getByTestId('confirm-download')).toBeVisible();
    await expect(page.getByLabel('Source prompt', { exact: true })).toHaveValue('a red circle');
    await expect(page.getByLabel('Steps', { exact: true })).toHaveValue('2');
  } finally {
    hub = await startHub(port);
  }
  // Online again: the same link asks, and nothing downloads before the user agrees.
  await page.goto(link);
  const confirm = page.getByTestId('confirm-download');
  await expect(confirm).toContainText(repoSize);
  expect(fileRequests('unet/model.onnx')).toEqual([]);
  await confirm.getByRole('button', { name: 'Download and generate' }).click();
  await expect(page.getByTestId('run-status')).toHaveText(/Done\./, { timeout: 90_000 });
  await expect(page.locator('[data-testid^="result-"] canvas.final')).toHaveCount(2);
  await page.getByTestId('cached-models').getByRole('button', { name: /^Delete local\/toy-shapes/ }).click();
  await expect(page.getByTestId('cached-models')).toContainText('No models cached');
});

test('a dropped connection resumes with a Range request and completes', async ({ page }) => {
  await openPicker(page);
  fault({ fault: 'drop', path: 'unet/model.onnx', times: 1, dropAfter: 3_000_000 });
  await downloadButton(page).click();
  await expect(status(page)).toContainText('Downloaded local/toy-shapes', { timeout: 60_000 });
  const unet = fileRequests('unet/model.onnx');
  expect(unet[0]).toMatchObject({ fault: 'drop' });
  expect(unet.some((r) => /^bytes=[1-9]\d*-$/.test(r.range ?? ''))).toBe(true);
  await expect(page.getByTestId('model-cache-state')).toContainText('cached (');
});

test('404 and 500 fail with a clear message and cache nothing as complete', async ({ page }) => {
  test.setTimeout(90_000);
  await openPicker(page);
  fault({ fault: '404', path: 'unet/model.onnx' });
  await downloadButton(page).click();
  await expect(page.getByTestId('download-error')).toContainText(/unet\/model\.onnx: not found \(HTTP 404/);
  await expect(page.getByTestId('model-cache-state')).not.toContainText('cached (');

  fault({ fault: '500', path: 'unet/model.onnx' });
  await downloadButton(page).click();
  // Five retries with backoff (0.5 s doubling) before giving up.
  await expect(page.getByTestId('download-error')).toContainText(/unet\/model\.onnx: the server failed \(HTTP 500\)/, { timeout: 60_000 });
  await expect(page.getByTestId('model-cache-state')).not.toContainText('cached (');
});

test('a wrong length is rejected and not cached; a retry succeeds once the fault is gone', async ({ page }) => {
  await openPicker(page);
  fault({ fault: 'wrong-length', path: 'unet/model.onnx' });
  await downloadButton(page).click();
  await expect(page.getByTestId('download-error')).toContainText('unet/model.onnx');
  await expect(page.getByTestId('model-cache-state')).not.toContainText('cached (');
  const kept = await page.evaluate(async () => {
    const names = ['p2p-models-v1', 'p2p-models-partial-v1', 'p2p-models-segments-v1'];
    const keys = (await Promise.all(names.map(async (n) => (await caches.open(n)).keys()))).flat();
    return keys.map((r) => decodeURIComponent(r.url)).filter((u) => u.includes('unet/model.onnx'));
  });
  expect(kept).toEqual([]);

  hub.faults.clear();
  await downloadButton(page).click();
  await expect(status(page)).toContainText('Downloaded local/toy-shapes', { timeout: 60_000 });
  await expect(page.getByTestId('model-cache-state')).toContainText('cached (');
});

test('a slow trickle shows rate and time left, can be cancelled, and resumes afterwards', async ({ page }) => {
  await openPicker(page);
  fault({ fault: 'trickle', path: 'unet/model.onnx', chunkBytes: 32 * 1024, delayMs: 50 });
  await downloadButton(page).click();
  await expect(status(page)).toContainText(/\/s · .* left/, { timeout: 20_000 });
  // Cancel once the UNet itself has bytes (files go three at a time; it is not the first).
  await expect(page.getByTestId('download-files')).toContainText(new RegExp(`unet/model\\.onnx: [\\d.]+ (kB|MB) of ${unetSize.replace('.', '\\.')}`), { timeout: 20_000 });
  await page.getByRole('button', { name: 'Cancel download' }).click();
  await expect(status(page)).toContainText('Download cancelled');

  hub.faults.clear();
  await expect(downloadButton(page)).toBeEnabled();
  await downloadButton(page).click();
  await expect(status(page)).toContainText('Downloaded local/toy-shapes', { timeout: 60_000 });
  expect(fileRequests('unet/model.onnx').some((r) => /^bytes=[1-9]\d*-$/.test(r.range ?? ''))).toBe(true);
});

test('a reload mid-download keeps the segments written, and the next download resumes from them', async ({ page }) => {
  await openPicker(page);
  fault({ fault: 'trickle', path: 'unet/model.onnx', chunkBytes: 128 * 1024, delayMs: 40 });
  await downloadButton(page).click();
  // Past the first 4 MiB segment of the UNet, the page goes away (no cancel, nothing flushed on purpose).
  await expect(page.getByTestId('download-files')).toContainText(/unet\/model\.onnx: [5-7](\.\d+)? MB of/, { timeout: 30_000 });
  await page.reload();
  const kept = await page.evaluate(async () => {
    const records = await caches.open('p2p-models-partial-v1');
    const unet = (await records.keys()).find((r) => decodeURIComponent(r.url).endsWith('unet/model.onnx'));
    return unet ? Number((await records.match(unet))?.headers.get('x-p2p-size')) : 0;
  });
  expect(kept).toBeGreaterThanOrEqual(4 * 2 ** 20);
  hub.faults.clear();
  hub.requests.length = 0;
  await expect(page.getByTestId('model-cache-state')).toContainText('partly downloaded');
  await expect(page.getByRole('button', { name: 'Resume download' })).toBeEnabled();
  await page.getByRole('button', { name: 'Resume download' }).click();
  await expect(status(page)).toContainText('Downloaded local/toy-shapes', { timeout: 60_000 });
  expect(fileRequests('unet/model.onnx').map((r) => r.range)).toEqual([`bytes=${kept}-`]);
  await expect(page.getByTestId('model-cache-state')).toContainText('cached (');
  // The stored UNet is its segments, and it loads: a generation on the resumed model.
  await page.goto(`/?backend=wasm&hub=${encodeURIComponent(hub.url)}&model=${REPO}&p=a+red+circle&e=a+red+square&steps=2&base=0`);
  await expect(page.getByTestId('run-status')).toHaveText(/Done\./, { timeout: 90_000 });
});

test('any repo id is checked first: a missing repo, a PyTorch-only repo and bad input each say why', async ({ page }) => {
  await page.goto(`/?backend=wasm&hub=${encodeURIComponent(hub.url)}`);
  await openSection(page, 'model-section');
  const field = page.getByLabel('Any repo id or URL', { exact: true });
  const error = page.getByTestId('custom-model-error');
  // Each step states what it waits for, so that a stuck one fails by name instead of running into the test's
  // timeout (a click waits for its button without limit: the button is disabled while the field is empty, and is
  // "Checking…" while a check runs).
  const checkAndUse = async (text: string) => {
    await field.fill(text);
    await expect(field).toHaveValue(text);
    const check = page.getByRole('button', { name: 'Check and use' });
    await expect(check).toBeEnabled();
    await check.click();
  };
  await checkAndUse('local/missing');
  await expect(error).toContainText('local/missing: no such repository or revision on the Hub (HTTP 404)');
  await checkAndUse('local/torch-only');
  await expect(error).toContainText('PyTorch');
  await checkAndUse('not a repo');
  await expect(error).toContainText('neither a Hub repo id');
  await expect(page.getByLabel('Model', { exact: true })).toHaveValue('toy-emoji'); // still the default
  await checkAndUse(REPO);
  await expect(page.getByLabel('Model', { exact: true })).toHaveValue(REPO);
  await expect(page.getByTestId('model-facts')).toContainText(repoSize);
  expect(fileRequests().map((r) => r.path)).toEqual(['model_index.json', 'model_index.json']); // no model file
});

test('a model the device cannot run is blocked before downloading, with the embedded emoji model offered', async ({ page }) => {
  // fp16 needs WebGPU; "Run on: WebAssembly" counts WebGPU out.
  await page.goto(`/?backend=wasm&hub=${encodeURIComponent(hub.url)}&model=sd15-fp16-external`);
  await expect(page.getByTestId('model-verdict')).toContainText('needs WebGPU');
  await expect(page.getByRole('button', { name: 'Download', exact: true })).toBeDisabled();
  await page.getByRole('button', { name: /^Generate/ }).click();
  await expect(page.getByTestId('run-error')).toContainText('needs WebGPU');
  expect(hub.requests).toEqual([]); // nothing was fetched, not even the file list
  await page.getByRole('button', { name: 'Use the emoji model' }).click();
  await expect(page.getByLabel('Model', { exact: true })).toHaveValue('toy-emoji');
});
