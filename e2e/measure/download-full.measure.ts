/**
 * The browser's memory while it downloads the full-size random SD 1.5 pipeline (`npm run random-sd -- --scale full`:
 * 2.4 GB, UNet 1.72 GB of fp16 model.onnx_data) from the mock Hub into Cache Storage through the engine worker, as
 * the studio's "Download" does. Samples every 250 ms: the page's and its workers' JS memory
 * (`performance.measureUserAgentSpecificMemory`) and the renderer process's RSS from /proc; prints a markdown table.
 * A persistent profile on disk (a test's default context is incognito: its storage is small and kept in memory).
 * Then loads it from the cache as the studio does after a download (`MEASURE_PROVIDER`, default `wasm`): resolve,
 * instrument the UNet, create the sessions, recording the same figures and how the load ended (ready, or the error
 * the studio would show). Run: `RSD_FULL=/tmp/rsd-full npx playwright test -c playwright.measure.config.ts
 * download-full` (writes the pipeline there first when the folder is absent: about 80 s and 2.4 GB of disk).
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
  await page.goto(`/?backend=${process.env.MEASURE_PROVIDER ?? 'wasm'}`);
  await page.waitForFunction(() => (window as { __studio?: unknown }).__studio !== undefined);
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
  const MB = 2 ** 20;
  let jsPeak = 0;
  let rendererPeak = 0;
  let samples = 0;
  let sampling = true;
  const rendererRss = () => Math.max(0, ...chromiumProcesses().filter((p) => p.type === 'renderer').map((p) => p.rssMB));
  const baseline = { js: 0, rss: rendererRss() };
  // Two loops: the renderer's RSS from /proc every 250 ms, and the page's JS memory as often as Chromium answers
  // (measureUserAgentSpecificMemory waits for every worker to reach a safe point, so its samples can be sparse).
  const pause = () => new Promise((r) => setTimeout(r, 250));
  const rssSampler = (async () => {
    while (sampling) {
      rendererPeak = Math.max(rendererPeak, rendererRss());
      await pause();
    }
  })();
  const jsSampler = (async () => {
    while (sampling) {
      const js = await page.evaluate(async () => {
        const perf = performance as Performance & { measureUserAgentSpecificMemory?: () => Promise<{ bytes: number }> };
        return perf.measureUserAgentSpecificMemory ? (await perf.measureUserAgentSpecificMemory()).bytes : -1;
      });
      if (samples === 0) baseline.js = js;
      jsPeak = Math.max(jsPeak, js);
      samples += 1;
      await pause();
    }
  })();
  const phase = () => {
    const peaks = { js: jsPeak, rss: rendererPeak };
    jsPeak = 0;
    rendererPeak = 0;
    return peaks;
  };
  const t0 = Date.now();
  const result = await page.evaluate(async ({ endpoint, repo }) => {
    const studio = (window as unknown as { __studio: { createEngine(): { download(ref: unknown, o?: unknown): Promise<{ files: number; bytes: number }> } } }).__studio;
    const done = await studio.createEngine().download({ source: { kind: 'hub', repo, revision: 'main', endpoint } });
    return { files: done.files, bytes: done.bytes };
  }, { endpoint: hub.url, repo: REPO });
  const downloadSeconds = (Date.now() - t0) / 1000;
  const downloadPeaks = phase();
  const provider = process.env.MEASURE_PROVIDER ?? 'wasm';
  const t1 = Date.now();
  const loaded = await page.evaluate(async ({ endpoint, repo, provider }) => {
    type Engine = { load(url: string, o?: unknown): Promise<{ backend: string; report?: unknown; instrumentError?: string }> };
    const studio = (window as unknown as { __studio: { createEngine(): Engine } }).__studio;
    const ref = { source: { kind: 'hub', repo, revision: 'main', endpoint } };
    const firstRead: Record<string, number> = {};
    const events: Record<string, number> = {};
    const start = performance.now();
    try {
      const ready = await studio.createEngine().load(`${endpoint}/${repo}/resolve/main/`, {
        cache: ref,
        provider,
        onLoading: (e: { file: string }) => {
          firstRead[e.file] ??= Math.round(performance.now() - start);
          events[e.file] = (events[e.file] ?? 0) + 1;
        },
      });
      return { outcome: `ready on ${ready.backend}, instrumented: ${JSON.stringify(ready.report ?? ready.instrumentError)}`, firstRead, events };
    } catch (e) {
      const err = e as { code?: string; message?: string };
      return { outcome: `error ${err.code ?? ''}: ${err.message ?? String(e)}`, firstRead, events };
    }
  }, { endpoint: hub.url, repo: REPO, provider });
  const loadSeconds = (Date.now() - t1) / 1000;
  const loadPeaks = phase();
  sampling = false;
  await Promise.all([rssSampler, jsSampler]);
  const mb = (v: number) => `${(v / MB).toFixed(0)} MB`;
  const rows = [
    '| phase | time | peak JS memory (page + workers) | peak renderer RSS |',
    '| --- | --- | --- | --- |',
    `| idle studio, before | | ${mb(baseline.js)} | ${baseline.rss.toFixed(0)} MB |`,
    `| download ${result.files} files, ${(result.bytes / 1e9).toFixed(2)} GB, into Cache Storage | ${downloadSeconds.toFixed(0)} s | ${mb(downloadPeaks.js)} | ${downloadPeaks.rss.toFixed(0)} MB |`,
    `| load from the cache on ${provider}: resolve, instrument, sessions | ${loadSeconds.toFixed(0)} s | ${mb(loadPeaks.js)} | ${loadPeaks.rss.toFixed(0)} MB |`,
  ];
  console.log(`${samples} JS memory samples\n${rows.join('\n')}\nload: ${loaded.outcome}\nfirst progress event of each file (ms after load()): ${JSON.stringify(loaded.firstRead)}\nprogress events per file: ${JSON.stringify(loaded.events)}`);
  expect(result.bytes).toBeGreaterThan(2e9);
}
