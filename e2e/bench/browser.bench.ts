/**
 * Browser benchmark (not a test: run by `npm run bench` via playwright.bench.config.ts): the engine worker on
 * wasm (1 and 2 threads) and WebGPU (SwiftShader here), P2P edit vs plain batch interleaved, then peak memory.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test, type Browser, type BrowserContext, type Page } from '@playwright/test';
import type { EngineGenerateRequest } from '../../workers/protocol';
import type { BenchRun } from './benchPage';
import type { BrowserBackend, BrowserBackendResult, BrowserReport } from './benchTypes';
import { chromiumProcesses } from './procMemory';

const ROOT = join(import.meta.dirname, '../..');
const MODEL = ['models/toy-shapes', 'dev-model'].find((m) => existsSync(join(ROOT, 'public', m, 'unet/model.onnx')));
const env = (name: string, fallback: number): number => (process.env[name] ? Number(process.env[name]) : fallback);
const ROUNDS = env('BENCH_BROWSER_ROUNDS', 5);
const STEPS = env('BENCH_STEPS', 20);
const WEBGPU_STEPS = env('BENCH_WEBGPU_STEPS', 2);
const WEBGPU_ROUNDS = env('BENCH_WEBGPU_ROUNDS', 2);
const OUT = process.env.BENCH_BROWSER_OUT ?? join(ROOT, 'out/bench/browser.json');

type Backend = BrowserBackend;
const ALL: Backend[] = [
  { key: 'wasm-1t', provider: 'wasm', threads: 1, steps: STEPS },
  { key: 'wasm-2t', provider: 'wasm', threads: 2, steps: STEPS },
  { key: 'webgpu', provider: 'webgpu', threads: 2, steps: WEBGPU_STEPS },
];
const BACKENDS = ALL.filter((b) => (process.env.BENCH_BACKENDS ?? 'wasm-1t,wasm-2t,webgpu').split(',').includes(b.key));

function request(steps: number, edit: boolean): EngineGenerateRequest {
  return {
    prompts: ['a red circle', 'a red square'],
    edit: edit ? { kind: 'replace', crossReplaceSteps: 0.8, selfReplaceSteps: 0.4 } : undefined,
    seed: 8888,
    steps,
    guidance: 7.5,
    previewEvery: 0,
  };
}

type BackendResult = BrowserBackendResult;

interface Lane {
  r: BackendResult;
  page: Page;
  context: BrowserContext;
  renderers: Set<number>;
}

/** A backend in its own context (its own renderer process), engine loaded and warmed up. */
async function openLane(browser: Browser, b: Backend, baseUrl: string): Promise<Lane> {
  const before = new Set(chromiumProcesses().map((p) => p.pid));
  const context = await browser.newContext();
  const page = await context.newPage();
  page.on('console', (m) => m.type() === 'error' && !/VerifyEachNodeIsAssignedToAnEp/.test(m.text()) && console.error(`[${b.key}] ${m.text()}`));
  await page.goto('/');
  const renderers = new Set(chromiumProcesses().filter((p) => p.type === 'renderer' && !before.has(p.pid)).map((p) => p.pid));
  const r: BackendResult = { backend: b, edit: [], plain: [] };
  try {
    r.ready = await page.evaluate((a) => window.__bench!.open('engine', a.b.provider, a.b.threads, a.baseUrl), { b, baseUrl });
    // Warm-up (shader compilation, wasm tiering): one run of each kind; WebGPU (slow here) the edit only.
    for (const edit of b.provider === 'webgpu' ? [true] : [true, false]) await runOn(page, b, edit);
  } catch (err) {
    r.error = err instanceof Error ? err.message : String(err);
  }
  return { r, page, context, renderers };
}

function runOn(page: Page, b: Backend, edit: boolean): Promise<BenchRun> {
  return page.evaluate((req) => window.__bench!.run('engine', req), request(b.steps, edit));
}

test('browser benchmark: engine worker on wasm (1, 2 threads) and WebGPU', async ({ browser }) => {
  test.skip(!MODEL, 'no toy model in public/');
  const baseUrl = `/${MODEL}/`;
  const lanes: Lane[] = [];
  for (const b of BACKENDS) {
    lanes.push(await openLane(browser, b, baseUrl));
    console.log(`  ${b.key}: ${lanes[lanes.length - 1].r.error ?? 'ready'}`);
  }
  const live = lanes.filter((l) => !l.r.error);
  for (let round = 0; round < ROUNDS; round++) {
    const jobs = live.filter((l) => l.r.backend.provider !== 'webgpu' || round < WEBGPU_ROUNDS).flatMap((l) => [true, false].map((edit) => ({ l, edit })));
    const k = jobs.length > 0 ? round % jobs.length : 0;
    for (const { l, edit } of [...jobs.slice(k), ...jobs.slice(0, k)]) (edit ? l.r.edit : l.r.plain).push(await runOn(l.page, l.r.backend, edit));
    console.log(`  browser rounds ${round + 1}/${ROUNDS}`);
  }
  for (const l of lanes) {
    if (!l.r.error) {
      const procs = chromiumProcesses();
      const page = await l.page.evaluate(() => window.__bench!.memory());
      l.r.memory = { page, renderer: procs.filter((p) => l.renderers.has(p.pid)), gpu: procs.filter((p) => p.type === 'gpu-process') };
    }
    await l.context.close();
  }
  mkdirSync(dirname(OUT), { recursive: true });
  const results = lanes.map((l) => l.r);
  const report: BrowserReport = { browser: browser.version(), model: MODEL!, rounds: ROUNDS, webgpuRounds: WEBGPU_ROUNDS, results };
  writeFileSync(OUT, `${JSON.stringify(report, null, 2)}\n`);
});
