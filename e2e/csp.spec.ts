/**
 * The built site runs under its Content-Security-Policy (meta tag from `vite build`, header from `vite preview`):
 * a full generation on wasm, the WebGPU probe and the tokenizer load without a single CSP violation, and an
 * inline script or a connection to an origin outside the policy is refused.
 */
import { expect, test, type Page } from '@playwright/test';
import { contentSecurityPolicy, HUB_CONNECT_SOURCES } from '../scripts/csp';
import { openSection } from './helpers/sections';

/** Collects violations reported to the page (securitypolicyviolation) and Chromium's console notes about them. */
async function watchViolations(page: Page): Promise<string[]> {
  const seen: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) seen.push(`console: ${m.text().slice(0, 300)}`);
  });
  await page.exposeFunction('__reportCspViolation', (s: string) => seen.push(s));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      (window as unknown as { __reportCspViolation(s: string): void }).__reportCspViolation(`${e.violatedDirective} ${e.blockedURI}`);
    });
  });
  return seen;
}

test('the built site carries its CSP as a meta tag and a header', async ({ page }) => {
  const response = await page.goto('/?backend=wasm');
  const header = response?.headers()['content-security-policy'] ?? '';
  expect(header).toContain("script-src 'self' 'wasm-unsafe-eval'");
  expect(header).toContain("frame-ancestors 'self'");
  const meta = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
  expect(meta).toBeTruthy();
  // The meta tag is the policy of scripts/csp.ts with the build's extra origins (the mock Hub's, in e2e).
  expect(meta!.startsWith(contentSecurityPolicy().split('; connect-src')[0])).toBe(true);
  for (const src of HUB_CONNECT_SOURCES) expect(meta).toContain(src);
  expect(meta).not.toContain("'unsafe-inline'");
  expect(meta).not.toContain("'unsafe-eval'");
});

test('a generation on wasm runs without a CSP violation; inline scripts and other origins are refused', async ({ page }) => {
  test.setTimeout(240_000);
  const violations = await watchViolations(page);
  await page.goto('/?backend=wasm&p=a+red+circle&e=a+red+square&steps=2&base=0');
  await page.getByRole('button', { name: /^Generate/ }).click();
  await expect(page.getByTestId('run-status')).toHaveText(/Done\./, { timeout: 180_000 });
  await expect(page.getByTestId('gpu-status')).not.toHaveText(/Checking/, { timeout: 30_000 }); // the WebGPU probe's worker
  expect(violations).toEqual([]);

  // The policy bites: an injected inline script does not run, a fetch to an origin outside connect-src fails.
  const ran = await page.evaluate(() => {
    const s = document.createElement('script');
    s.textContent = 'window.__inlineRan = true';
    document.head.append(s);
    return (window as unknown as { __inlineRan?: boolean }).__inlineRan === true;
  });
  expect(ran).toBe(false);
  const fetched = await page.evaluate(() => fetch('https://example.com/').then(() => 'fetched', (e: Error) => e.name));
  expect(fetched).toBe('TypeError');
  await expect.poll(() => violations.some((v) => v.startsWith('script-src'))).toBe(true);
  await expect.poll(() => violations.some((v) => v.startsWith('connect-src') && v.includes('example.com'))).toBe(true);
});

test('a model folder on an origin the policy refuses is explained before anything is fetched', async ({ page }) => {
  const violations = await watchViolations(page);
  await page.goto('/?backend=wasm');
  // The e2e build allows the mock Hub at http://127.0.0.1:* only; localhost is another origin.
  await openSection(page, 'model-section');
  await page.getByLabel('Any repo id or URL').fill('http://localhost:9/models/sd/');
  await page.getByRole('button', { name: 'Check and use' }).click();
  await expect(page.getByTestId('custom-model-error')).toContainText("this site's Content-Security-Policy lets it download only from itself and the Hugging Face Hub, not from http://localhost:9");
  await expect(page.getByTestId('custom-model-error')).toContainText('P2P_CSP_CONNECT="http://localhost:9"');
  expect(violations).toEqual([]); // refused by the page's own check: no request reached the browser's policy
});
