/**
 * A damaged cache entry is found when the model loads and repaired from the UI, against the mock Hub
 * serving the toy model as `local/toy-shapes`: bytes of the same length written into Cache Storage from
 * the page fail the published sha256 (or, stored with a matching digest, fail to parse as ONNX); the
 * error names the file, the model stops counting as cached, nothing downloads until "Re-download",
 * which fetches just that file, and the model then loads and generates.
 */
import { fileURLToPath } from 'node:url';
import { expect, test, type Page } from '@playwright/test';
import { startMockHub, type MockHub } from '../scripts/mock-hub';
import { indexFolder } from '../scripts/mock-hub/files';
import { formatBytes } from '../src/models/progress';

const REPO = 'local/toy-shapes';
const UNET = 'unet/model.onnx';
let hub: MockHub;
let unetSize = '';

test.beforeAll(async () => {
  const root = fileURLToPath(new URL('../public/models/toy-shapes', import.meta.url));
  unetSize = formatBytes((await indexFolder(root)).get(UNET)!.size);
  hub = await startMockHub({ root, repo: REPO, port: 0 });
});
test.afterAll(async () => hub?.close());
test.beforeEach(() => {
  hub.faults.clear();
  hub.requests.length = 0;
});

/** Paths of the repo's files requested (tree API calls, logged by URL, left out). */
const fileRequests = () => hub.requests.filter((r) => !r.path.startsWith('/')).map((r) => r.path);
/** Repo ids resolve on the mock Hub (`hub=`); a folder URL is used as given (then it is a plain web folder). */
const query = (model: string) => `backend=wasm${model.includes('://') ? '' : `&hub=${encodeURIComponent(hub.url)}`}&model=${encodeURIComponent(model)}`;
/** A share link: generates at once when the model is complete in the cache. */
const link = (model: string) => `/?${query(model)}&p=a+red+circle&e=a+red+square&steps=2&base=0`;

/** Downloads the model from the picker (no generation). */
async function download(page: Page, model: string): Promise<void> {
  await page.goto(`/?${query(model)}`);
  await expect(page.getByTestId('model-cache-state')).toContainText('not cached');
  await page.getByRole('button', { name: 'Download', exact: true }).click();
  await expect(page.getByTestId('download-status')).toContainText('Downloaded', { timeout: 60_000 });
}

/**
 * Overwrites a cached file with bytes of the same length (each byte inverted), keeping its stored
 * headers: the record's own body for a file put whole, else each of the segments it names (a downloaded
 * file). With `matchingDigest` its recorded sha256 becomes that of the new bytes (a file that was broken
 * when it was downloaded). Returns the size written.
 */
async function corrupt(page: Page, path: string, matchingDigest = false): Promise<number> {
  return page.evaluate(
    async ({ path, matchingDigest }) => {
      const cache = await caches.open('p2p-models-v1');
      const request = (await cache.keys()).find((r) => decodeURIComponent(r.url).endsWith(`::${path}`));
      if (!request) throw new Error(`${path} is not cached`);
      const old = (await cache.match(request))!;
      const headers = new Headers(old.headers);
      const invert = async (r: Response): Promise<Uint8Array<ArrayBuffer>> => new Uint8Array(await r.arrayBuffer()).map((b) => b ^ 0xff);
      const segmentSizes = headers.get('x-p2p-segments');
      const parts: Uint8Array<ArrayBuffer>[] = [];
      if (segmentSizes === null) {
        parts.push(await invert(old));
      } else {
        const segments = await caches.open('p2p-models-segments-v1');
        for (let i = 0; i < segmentSizes.split(',').length; i++) {
          const url = `${request.url}/${i}`;
          parts.push(await invert((await segments.match(url))!));
          await segments.put(url, new Response(parts[i]));
        }
      }
      const bytes = new Uint8Array(await new Blob(parts).arrayBuffer());
      if (matchingDigest) {
        const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
        headers.set('x-p2p-sha256', Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join(''));
        headers.set('x-p2p-sha256-source', 'download');
      }
      await cache.put(request, new Response(segmentSizes === null ? bytes : null, { headers }));
      return bytes.byteLength;
    },
    { path, matchingDigest },
  );
}

/** The console lines of the engine worker's load-time check (what verifying the cached files cost). */
function collectChecks(page: Page): string[] {
  const lines: string[] = [];
  page.on('console', (m) => {
    if (m.text().startsWith('[p2p] checked')) lines.push(m.text());
  });
  return lines;
}

test('a UNet overwritten with bytes of the same length is named, asks before re-downloading, and recovers', async ({ page }) => {
  test.setTimeout(180_000);
  const checks = collectChecks(page);
  await download(page, REPO);
  await expect(page.getByTestId('model-cache-state')).toContainText('cached (');
  expect(await corrupt(page, UNET)).toBeGreaterThan(1_000_000);

  hub.requests.length = 0;
  await page.goto(link(REPO));
  const error = page.getByTestId('run-error');
  await expect(error).toContainText(`${UNET} of ${REPO} is damaged in this browser's cache: its sha256 is`, { timeout: 60_000 });
  await expect(error).toContainText(`the published one is`);
  await expect(error).toContainText(`Re-download it (${unetSize}) to use ${REPO} again.`);
  const prompt = page.getByTestId('repair-cache');
  await expect(prompt).toContainText(`Cannot use ${UNET} of ${REPO} from this browser’s cache`);
  await expect(prompt).toContainText(`Download it again (${unetSize})?`);
  await expect(page.getByTestId('model-cache-state')).toContainText(`damaged: ${UNET} failed its check`);
  await expect(page.getByTestId('cached-models')).toContainText(`damaged (${UNET})`);
  await expect(page.getByTestId('cached-models')).not.toContainText('complete');

  // Cancel keeps everything as it is; Generate again stops at once with the same message (no download).
  await prompt.getByRole('button', { name: 'Cancel' }).click();
  await expect(prompt).toHaveCount(0);
  await page.getByRole('button', { name: /^Generate/ }).click();
  await expect(error).toContainText(`${UNET} of ${REPO} is damaged`);
  await expect(prompt).toBeVisible();
  // The record survives a reload: the link runs at once into the same message (no "download?" question).
  await page.reload();
  await expect(error).toContainText(`${UNET} of ${REPO} is damaged`, { timeout: 60_000 });
  await expect(page.getByTestId('confirm-download')).toHaveCount(0);
  await expect(prompt).toBeVisible();
  expect(fileRequests().filter((p) => p !== 'model_index.json')).toEqual([]); // the picker may re-read the index; no model file

  // Re-download: just that file comes again, then the model loads and generates.
  await prompt.getByRole('button', { name: 'Re-download' }).click();
  await expect(page.getByTestId('run-status')).toHaveText(/Done\./, { timeout: 90_000 });
  await expect(page.locator('[data-testid^="result-"] canvas.final')).toHaveCount(2);
  expect(fileRequests().filter((p) => p !== 'model_index.json')).toEqual([UNET]);
  await expect(prompt).toHaveCount(0);
  await expect(page.getByTestId('model-cache-state')).toContainText('cached (');
  await expect(page.getByTestId('cached-models')).toContainText(/local\/toy-shapes@main .* complete/);

  // What checking the cached files on load cost (sizes and sha256 of every file of the toy model).
  await expect.poll(() => checks.length).toBeGreaterThan(0);
  test.info().annotations.push({ type: 'load-time check', description: checks.at(-1)! });
  console.log(checks.at(-1));
});

test('a graph that does not parse names the file and the model, and re-downloading it recovers', async ({ page }) => {
  test.setTimeout(180_000);
  // A plain folder URL: no published sha256, so the digest recorded at download is what the load checks.
  const folder = `${hub.url}/${REPO}/resolve/main/`;
  await download(page, folder);
  await corrupt(page, UNET, true);

  hub.requests.length = 0;
  await page.goto(link(folder));
  const error = page.getByTestId('run-error');
  await expect(error).toContainText(`${UNET} of ${folder} could not be read as an ONNX model: `, { timeout: 60_000 });
  await expect(error).toContainText(`Re-download it (${unetSize})`);
  const prompt = page.getByTestId('repair-cache');
  await expect(prompt).toContainText(UNET);
  await expect(page.getByTestId('model-cache-state')).toContainText('damaged');

  await prompt.getByRole('button', { name: 'Re-download' }).click();
  await expect(page.getByTestId('run-status')).toHaveText(/Done\./, { timeout: 90_000 });
  await expect(page.locator('[data-testid^="result-"] canvas.final')).toHaveCount(2);
  expect(fileRequests().filter((p) => !p.endsWith('.json') && !p.endsWith('.txt'))).toEqual([UNET]);
});
