// The browser benchmark page: engines (the real EngineHandler in a module worker) keyed by name, each
// with its provider and wasm thread count, run on request from Playwright (e2e/bench/browser.bench.ts).

import { EngineClient, type EnginePort } from '../../workers/engineClient';
import type { EngineGenerateRequest, ProviderPreference } from '../../workers/protocol';
import type { StageTimings } from '../../src/diffusion';

export interface BenchRun {
  /** Wall time seen by the page (posting the request → `done`), ms. */
  wallMs: number;
  timings: StageTimings;
}

export interface BenchMemory {
  /** `performance.measureUserAgentSpecificMemory()` total (page + its workers), bytes; null when unavailable. */
  bytes: number | null;
  reason?: string;
}

export interface BenchHook {
  open(key: string, provider: ProviderPreference, threads: number, baseUrl: string): Promise<{ backend: string; fallbackReason?: string; loadMs: number }>;
  run(key: string, request: EngineGenerateRequest): Promise<BenchRun>;
  close(key: string): void;
  memory(): Promise<BenchMemory>;
}

declare global {
  interface Window {
    __bench?: BenchHook;
  }
}

/** A module worker told its wasm thread count before anything else. */
function benchPort(threads: number): () => EnginePort {
  return () => {
    const worker = new Worker(new URL('./bench.worker.ts', import.meta.url), { type: 'module' });
    worker.postMessage({ type: 'bench-threads', threads });
    return {
      post: (request) => worker.postMessage(request),
      listen(onEvent, onFailure) {
        worker.onmessage = (e: MessageEvent) => onEvent(e.data as Parameters<typeof onEvent>[0]);
        worker.onerror = (e) => onFailure(e.message || 'the bench worker failed');
      },
      close: () => worker.terminate(),
    };
  };
}

const engines = new Map<string, EngineClient>();

function engine(key: string): EngineClient {
  const e = engines.get(key);
  if (!e) throw new Error(`no engine "${key}"`);
  return e;
}

window.__bench = {
  async open(key, provider, threads, baseUrl) {
    const client = new EngineClient({ port: benchPort(threads) });
    engines.set(key, client);
    const t0 = performance.now();
    const ready = await client.load(baseUrl, { provider });
    return { backend: ready.backend, fallbackReason: ready.fallbackReason, loadMs: performance.now() - t0 };
  },
  async run(key, request) {
    const t0 = performance.now();
    const out = await engine(key).generate(request);
    return { wallMs: performance.now() - t0, timings: out.done.timings };
  },
  close(key) {
    engines.get(key)?.terminate();
    engines.delete(key);
  },
  async memory() {
    const perf = performance as Performance & { measureUserAgentSpecificMemory?: () => Promise<{ bytes: number }> };
    if (!perf.measureUserAgentSpecificMemory) return { bytes: null, reason: 'measureUserAgentSpecificMemory is not available' };
    if (!crossOriginIsolated) return { bytes: null, reason: 'the page is not cross-origin isolated' };
    try {
      return { bytes: (await perf.measureUserAgentSpecificMemory()).bytes };
    } catch (err) {
      return { bytes: null, reason: err instanceof Error ? err.message : String(err) };
    }
  },
};
