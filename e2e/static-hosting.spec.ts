/**
 * The built site on a plain static host (scripts/static-server.ts, not Vite): at the root and under a sub-path
 * (`vite build --base /p2p-studio/`), with and without COOP/COEP headers. With the headers the page is isolated
 * at once (the service worker registers for offline use only, with no reload); without them the service worker
 * (src/offline/sw.ts, built to isolation-sw.js) provides them after exactly one reload; when
 * it cannot (its file missing, or a worker that adds no headers: the reload guard), the page stays on one thread
 * and says so. Every variant completes a 2-step generation on wasm.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { startStaticServer, type StaticServer, type StaticServerOptions } from '../scripts/static-server';
import { linkParams } from './helpers/link';

const SUB = '/p2p-studio/';
// The root case serves the build Playwright's webServer made (playwright.config.ts); the sub-path one is built here.
const rootBuild = process.env.E2E_OUT_DIR ?? 'dist';
let subBuild = '';
let server: StaticServer | undefined;

test.beforeAll(() => {
  subBuild = mkdtempSync(join(tmpdir(), 'p2p-subpath-'));
  execFileSync('npx', ['vite', 'build', '--base', SUB, '--outDir', subBuild, '--emptyOutDir', '--logLevel', 'warn'], {
    env: { ...process.env, P2P_TEST_HOOKS: '1', P2P_CSP_CONNECT: 'http://127.0.0.1:*' },
    stdio: 'inherit',
    timeout: 120_000,
  });
});

test.afterAll(() => {
  if (subBuild) rmSync(subBuild, { recursive: true, force: true });
});

test.afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function serve(options: Omit<StaticServerOptions, 'root'> & { sub?: boolean }): Promise<string> {
  server = await startStaticServer({ ...options, root: options.sub ? subBuild : rootBuild, base: options.sub ? SUB : '/' });
  return server.url;
}

/** Counts the page's document requests (a service-worker reload is one more; the first may not reach 'load'). */
function countLoads(page: Page): () => number {
  let loads = 0;
  page.on('request', (r) => {
    if (r.isNavigationRequest() && r.frame() === page.mainFrame()) loads++;
  });
  return () => loads;
}

/** `crossOriginIsolated` once the page has settled; survives the service worker's reload. */
async function settledIsolation(page: Page): Promise<boolean> {
  let isolated = false;
  await expect
    .poll(
      async () => {
        try {
          isolated = await page.evaluate(() => crossOriginIsolated);
          return isolated || (await page.getByTestId('isolation-notice').isVisible());
        } catch {
          return false; // the page is reloading
        }
      },
      { timeout: 30_000 },
    )
    .toBe(true);
  return isolated;
}

async function generateTwoSteps(page: Page): Promise<void> {
  await page.getByRole('button', { name: /^Generate/ }).click();
  await expect(page.getByTestId('run-status')).toHaveText(/Done\./, { timeout: 180_000 });
  await expect(page.locator('[data-testid^="result-"] canvas.final')).not.toHaveCount(0);
}

const QUERY = '?backend=wasm&p=a+red+circle&e=a+red+square&steps=2&base=0';

for (const sub of [false, true]) {
  const where = sub ? `under ${SUB}` : 'at the root';

  test(`${where}, with COOP/COEP headers: isolated at once, the service worker (offline only) causes no reload, generation completes`, async ({ page }) => {
    test.setTimeout(240_000);
    const loads = countLoads(page);
    const url = await serve({ sub, isolation: true });
    await page.goto(`${url}${QUERY}`);
    expect(await settledIsolation(page)).toBe(true);
    // The worker is there for offline use (e2e/offline.spec.ts), under the site's path; it reloaded nothing.
    const scope = await page.evaluate(() => navigator.serviceWorker.ready.then((r) => new URL(r.scope).pathname));
    expect(scope).toBe(sub ? SUB : '/');
    await expect(page.getByTestId('isolation-notice')).toHaveCount(0);
    await generateTwoSteps(page);
    expect(loads()).toBe(1);
  });

  test(`${where}, no special headers: the service worker isolates the page after one reload, generation completes`, async ({ page }) => {
    test.setTimeout(240_000);
    const loads = countLoads(page);
    const url = await serve({ sub, isolation: false });
    const first = await page.goto(`${url}${QUERY}`);
    expect(first?.headers()['cross-origin-embedder-policy']).toBeUndefined(); // the host really sends none
    expect(await settledIsolation(page)).toBe(true);
    expect(loads()).toBe(2);
    const scope = await page.evaluate(() => navigator.serviceWorker.ready.then((r) => new URL(r.scope).pathname));
    expect(scope).toBe(sub ? SUB : '/');
    await expect(page.getByTestId('isolation-notice')).toHaveCount(0);
    // The reload kept the share link (the address bar may already hold it in the version 2 format).
    expect((await linkParams(page.url())).get('p')).toBe('a red circle');
    await generateTwoSteps(page);
    expect(loads()).toBe(2);
  });
}

test('no headers and no service worker file: one thread, the panel says why, generation completes', async ({ page }) => {
  test.setTimeout(240_000);
  const loads = countLoads(page);
  const url = await serve({ sub: true, replace: { '/isolation-sw.js': null } });
  await page.goto(`${url}${QUERY}`);
  expect(await settledIsolation(page)).toBe(false);
  await expect(page.getByTestId('isolation-notice')).toContainText(
    'WebAssembly runs on one thread: this host sends no cross-origin isolation headers and the service worker could not provide them (its registration failed',
  );
  await generateTwoSteps(page);
  expect(loads()).toBe(1);
});

test('a service worker that takes control but adds no headers: one reload only, then the single-thread notice', async ({ page }) => {
  test.setTimeout(240_000);
  const loads = countLoads(page);
  // Stands in for any reason the worker's headers do not take (an old cached worker, a host rewriting them).
  const inert = "self.addEventListener('install',()=>self.skipWaiting());self.addEventListener('activate',(e)=>e.waitUntil(self.clients.claim()));";
  const url = await serve({ sub: false, replace: { '/isolation-sw.js': { type: 'text/javascript', body: inert } } });
  await page.goto(`${url}${QUERY}`);
  expect(await settledIsolation(page)).toBe(false);
  await expect(page.getByTestId('isolation-notice')).toContainText('the page was reloaded once for it and is still not isolated');
  await page.waitForTimeout(1_000); // a loop would show as further loads
  expect(loads()).toBe(2);
  await generateTwoSteps(page);
  expect(loads()).toBe(2);
});
