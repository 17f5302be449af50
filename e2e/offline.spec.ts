/**
 * Offline (issue #22, item 2) on a plain static host (scripts/static-server.ts), real Chromium, real caches. Going
 * offline is `context.setOffline(true)` and, so that nothing can reach the host behind the page's back (the
 * emulation does not cover a service worker's own fetches), the static server and the mock Hub are stopped too.
 * - Under a sub-path, without COOP/COEP: first visit, the service worker isolates the page and stores the app;
 *   offline, a share link opens and the embedded model generates (still cross-origin isolated).
 * - A Hub model downloaded once generates offline; a link to one that is not downloaded says so (and so do
 *   Generate and Download), fetches nothing, keeps its recipe, and offers the download again once online.
 * - A new deploy: the old version keeps running, a "new version" prompt appears; Reload switches to the new one
 *   and the old version's cache is deleted.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test, type Page } from '@playwright/test';
import { startMockHub, type MockHub } from '../scripts/mock-hub';
import { writePrecacheManifest } from '../scripts/offline/precache';
import { startStaticServer, type StaticServer, type StaticServerOptions } from '../scripts/static-server';
import { linkParams } from './helpers/link';

const SUB = '/p2p-studio/';
const rootBuild = process.env.E2E_OUT_DIR ?? 'dist';
// Made in beforeAll, not at module level: Playwright also loads this file in the runner process to list the tests,
// and a directory made there was never removed.
let temp = '';
let subBuild = '';
const servers: StaticServer[] = [];
let hub: MockHub | undefined;

test.beforeAll(() => {
  temp = mkdtempSync(join(tmpdir(), 'p2p-offline-'));
  subBuild = join(temp, 'sub');
  execFileSync('npx', ['vite', 'build', '--base', SUB, '--outDir', subBuild, '--emptyOutDir', '--logLevel', 'warn'], {
    env: { ...process.env, P2P_TEST_HOOKS: '1', P2P_CSP_CONNECT: 'http://127.0.0.1:*' },
    stdio: 'inherit',
    timeout: 180_000,
  });
});
test.afterAll(() => rmSync(temp, { recursive: true, force: true }));
test.afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
  await hub?.close();
  hub = undefined;
});

async function serve(options: StaticServerOptions): Promise<StaticServer> {
  const server = await startStaticServer(options);
  servers.push(server);
  return server;
}

/** Stops every server of the test (the host and the mock Hub) and takes the browser offline. */
async function goOffline(page: Page): Promise<void> {
  await Promise.all(servers.splice(0).map((s) => s.close()));
  await hub?.close();
  hub = undefined;
  await page.context().setOffline(true);
}

/** Waits until the service worker reports this version stored; returns the version. */
async function offlineReady(page: Page): Promise<string> {
  const status = page.getByTestId('offline-status');
  await expect(status).toHaveAttribute('data-ready', /^[0-9a-f]{16}$/, { timeout: 90_000 });
  await expect(status).toContainText('Works offline: this version');
  return (await status.getAttribute('data-ready'))!;
}

async function generated(page: Page): Promise<void> {
  await expect(page.getByTestId('run-status')).toHaveText(/Done\./, { timeout: 180_000 });
  await expect(page.locator('[data-testid^="result-"] canvas.final')).toHaveCount(2);
}

const QUERY = '?backend=wasm&p=a+red+circle&e=a+red+square&steps=2&base=0';

test(`under ${SUB}, no special headers: after one visit the app and the embedded model work offline`, async ({ page }) => {
  test.setTimeout(300_000);
  const server = await serve({ root: subBuild, base: SUB, isolation: false });
  await page.goto(`${server.url}?backend=wasm`);
  const version = await offlineReady(page);
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(true); // after the worker's one reload
  const cacheNames = await page.evaluate(() => caches.keys());
  expect(cacheNames).toContain(`p2p-shell-${version}`);

  await goOffline(page);
  const response = await page.goto(`${server.url}${QUERY}`);
  expect(response?.fromServiceWorker()).toBe(true);
  expect(await page.evaluate(() => navigator.onLine)).toBe(false);
  await expect(page.getByTestId('offline-status')).toContainText('You are offline. Works offline');
  await generated(page);
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(true); // the cached responses carry the headers too
  await expect(page.getByTestId('isolation-notice')).toHaveCount(0);
  expect((await linkParams(page.url())).get('p')).toBe('a red circle');
});

test('a downloaded Hub model generates offline; one not downloaded says so and loses nothing', async ({ page }) => {
  test.setTimeout(300_000);
  const root = fileURLToPath(new URL('../public/models/toy-shapes', import.meta.url));
  hub = await startMockHub({ root, repo: 'local/toy-shapes', port: 0 });
  const hubUrl = hub.url;
  const server = await serve({ root: rootBuild, isolation: true });
  const link = (model: string) => `${server.url}${QUERY}&hub=${encodeURIComponent(hubUrl)}&model=${model}`;
  await page.goto(link('local/toy-shapes'));
  await page.getByTestId('confirm-download').getByRole('button', { name: 'Download and generate' }).click();
  await generated(page);
  await offlineReady(page);

  await goOffline(page);
  const hubRequests: string[] = [];
  page.context().on('request', (r) => {
    if (r.url().startsWith(hubUrl)) hubRequests.push(r.url());
  });
  await page.goto(link('local/toy-shapes'));
  await expect(page.getByTestId('confirm-download')).toHaveCount(0);
  await generated(page);

  // A model that is not in this browser: the question stays, says why it cannot download, and downloads nothing.
  await page.goto(link('local/not-downloaded'));
  const confirm = page.getByTestId('confirm-download');
  await expect(confirm.getByTestId('offline-model')).toHaveText(/^You are offline; local\/not-downloaded is not downloaded yet, so it cannot be downloaded now\. Nothing is lost/);
  const download = confirm.getByRole('button', { name: 'Download and generate' });
  await expect(download).toBeDisabled();
  await expect(page.getByLabel('Source prompt', { exact: true })).toHaveValue('a red circle');
  expect((await linkParams(page.url())).get('model')).toBe('local/not-downloaded');
  expect(hubRequests).toEqual([]);
  // Generate and the picker's Download say the same, and try nothing either.
  await confirm.getByRole('button', { name: 'Not now' }).click();
  await page.getByRole('button', { name: /^Generate/ }).click();
  await expect(page.getByTestId('run-error')).toContainText('You are offline; local/not-downloaded is not downloaded yet');
  await page.getByTestId('model-picker').getByRole('button', { name: 'Download', exact: true }).click();
  await expect(page.getByTestId('download-error')).toContainText('You are offline; local/not-downloaded is not downloaded yet');
  expect(hubRequests).toEqual([]);
  // Back online, the link's question offers the download again (nothing was lost on the way).
  await page.goto(link('local/not-downloaded'));
  await expect(download).toBeDisabled();
  await page.context().setOffline(false);
  await expect(confirm.getByTestId('offline-model')).toHaveCount(0);
  await expect(download).toBeEnabled();
});

test('a new deploy: the old version keeps running, the prompt appears, Reload switches versions', async ({ page }) => {
  test.setTimeout(300_000);
  // Build B is build A with a changed page title, its precache manifest written again as the build does.
  const a = join(temp, 'a');
  const b = join(temp, 'b');
  cpSync(rootBuild, a, { recursive: true });
  cpSync(rootBuild, b, { recursive: true });
  const html = readFileSync(join(b, 'index.html'), 'utf8');
  writeFileSync(join(b, 'index.html'), html.replace('<title>Prompt-to-Prompt Studio</title>', '<title>Prompt-to-Prompt Studio B</title>'));
  const versionB = writePrecacheManifest(b).version;

  const first = await serve({ root: a, isolation: true });
  const port = Number(new URL(first.url).port);
  await page.goto(first.url);
  const versionA = await offlineReady(page);
  expect(versionA).not.toBe(versionB);
  await expect(page.getByTestId('update-prompt')).toHaveCount(0);

  // Deploy B on the same origin. A reload is still version A (from its cache); the browser finds the new worker.
  await first.close();
  servers.splice(servers.indexOf(first), 1);
  await serve({ root: b, isolation: true, port });
  await page.reload();
  const prompt = page.getByTestId('update-prompt');
  await expect(prompt).toContainText('A new version is available', { timeout: 90_000 });
  await expect(prompt).toHaveAttribute('role', 'status');
  expect(await page.title()).toBe('Prompt-to-Prompt Studio');
  await expect(page.getByTestId('offline-status')).toHaveAttribute('data-ready', versionA);

  await prompt.getByRole('button', { name: 'Reload' }).click();
  await expect(page).toHaveTitle('Prompt-to-Prompt Studio B', { timeout: 30_000 });
  await expect(page.getByTestId('offline-status')).toHaveAttribute('data-ready', versionB, { timeout: 60_000 });
  await expect(page.getByTestId('update-prompt')).toHaveCount(0);
  expect((await page.evaluate(() => caches.keys())).filter((n) => n.startsWith('p2p-shell-'))).toEqual([`p2p-shell-${versionB}`]);
});
