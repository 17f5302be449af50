/**
 * The browser's memory while it downloads the full-size random SD 1.5 pipeline (`npm run random-sd -- --scale full`:
 * 2.4 GB, UNet 1.72 GB of fp16 model.onnx_data) from the mock Hub into Cache Storage through the engine worker, as
 * the studio's "Download" does. Samples every 250 ms: the page's and its workers' JS memory
 * (`performance.measureUserAgentSpecificMemory`) and the renderer process's RSS from /proc; prints a markdown table.
 * A persistent profile on disk (a test's default context is incognito: its storage is small and kept in memory).
 * Run: `RSD_FULL=/tmp/rsd-full npx playwright test -c playwright.measure.config.ts download-full` (writes the
 * pipeline there first when the folder is absent: about 80 s and 2.4 GB of disk).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, expect, test } from '@playwright/test';
import { startMockHub, type MockHub } from '../../scripts/mock-hub';
import { writeRandomSd } from '../../scripts/random-sd/writeRandomSd';
import { chromiumProcesses } from '../bench/procMemory';

const REPO = 'local/random-sd-full';
const dir = process.env.RSD_FULL ?? '/tmp/rsd-full';
let hub: MockHub;

test.beforeAll(async () => {
  if (!existsSync(`${dir}/unet/model.onnx_data`)) writeRandomSd({ scale: 'full', out: dir });
  hub = await startMockHub({ root: dir, repo: REPO, port: 0 });
});
test.afterAll(async () => hub?.close());

test('memory while downloading the full-size random SD pipeline', async ({ baseURL, launchOptions }) => {
  const profile = mkdtempSync(join(tmpdir(), 'p2p-measure-profile-'));
  const context = await chromium.launchPersistentContext(profile, { ...launchOptions, baseURL });
  try {
    await measure(await context.newPage());
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
});

async function measure(page: import('@playwright/test').Page): Promise<void> {
  await page.goto('/?backend=wasm');
  await page.waitForFunction(() => (window as { __studio?: unknown }).__studio !== undefined);
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
  const MB = 2 ** 20;
  let jsPeak = 0;
  let rendererPeak = 0;
  let samples = 0;
  let sampling = true;
  const rendererRss = () => Math.max(0, ...chromiumProcesses().filter((p) => p.type === 'renderer').map((p) => p.rssMB));
  const baseline = { js: 0, rss: rendererRss() };
  const sampler = (async () => {
    while (sampling) {
      const js = await page.evaluate(async () => {
        const perf = performance as Performance & { measureUserAgentSpecificMemory?: () => Promise<{ bytes: number }> };
        return perf.measureUserAgentSpecificMemory ? (await perf.measureUserAgentSpecificMemory()).bytes : -1;
      });
      if (samples === 0) baseline.js = js;
      jsPeak = Math.max(jsPeak, js);
      rendererPeak = Math.max(rendererPeak, rendererRss());
      samples += 1;
      await new Promise((r) => setTimeout(r, 250));
    }
  })();
  const t0 = Date.now();
  const result = await page.evaluate(async ({ endpoint, repo }) => {
    const studio = (window as unknown as { __studio: { createEngine(): { download(ref: unknown, o?: unknown): Promise<{ files: number; bytes: number }> } } }).__studio;
    const done = await studio.createEngine().download({ source: { kind: 'hub', repo, revision: 'main', endpoint } });
    return { files: done.files, bytes: done.bytes };
  }, { endpoint: hub.url, repo: REPO });
  const seconds = (Date.now() - t0) / 1000;
  sampling = false;
  await sampler;
  const rows = [
    '| phase | time | peak JS memory (page + workers) | peak renderer RSS |',
    '| --- | --- | --- | --- |',
    `| idle studio, before | | ${(baseline.js / MB).toFixed(0)} MB | ${baseline.rss.toFixed(0)} MB |`,
    `| download ${result.files} files, ${(result.bytes / 1e9).toFixed(2)} GB, into Cache Storage | ${seconds.toFixed(0)} s | ${(jsPeak / MB).toFixed(0)} MB | ${rendererPeak.toFixed(0)} MB |`,
  ];
  console.log(`${samples} samples\n${rows.join('\n')}`);
  expect(result.bytes).toBeGreaterThan(2e9);
}
