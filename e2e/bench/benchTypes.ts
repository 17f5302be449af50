// What the browser benchmark (browser.bench.ts) writes to out/bench/browser.json and bench.ts reads:
// per backend its load, the timings of each run, and memory after all runs.

import type { ProviderPreference } from '../../workers/protocol';
import type { BenchMemory, BenchRun } from './benchPage';
import type { ProcMemory } from './procMemory';

export interface BrowserBackend {
  key: string;
  provider: ProviderPreference;
  threads: number;
  steps: number;
}

export interface BrowserBackendResult {
  backend: BrowserBackend;
  ready?: { backend: string; fallbackReason?: string; loadMs: number };
  error?: string;
  edit: BenchRun[];
  plain: BenchRun[];
  /** After all runs: the page's own measurement, its renderer process(es) and the (shared) GPU process. */
  memory?: { page: BenchMemory; renderer: ProcMemory[]; gpu: ProcMemory[] };
}

export interface BrowserReport {
  browser: string;
  model: string;
  rounds: number;
  webgpuRounds: number;
  results: BrowserBackendResult[];
}
