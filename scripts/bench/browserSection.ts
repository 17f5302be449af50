// The browser part of the benchmark: runs e2e/bench/browser.bench.ts through playwright.bench.config.ts
// (its own Vite build and server) and reads what it wrote (e2e/bench/benchTypes.ts: BrowserReport).

import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserReport } from '../../e2e/bench/benchTypes';

export interface BrowserSectionOptions {
  root: string;
  rounds: number;
  steps: number;
  webgpuSteps: number;
  webgpuRounds: number;
  backends: string[];
  log: (line: string) => void;
}

export async function runBrowserSection(o: BrowserSectionOptions): Promise<BrowserReport> {
  const out = join(o.root, 'out/bench/browser.json');
  rmSync(out, { force: true });
  const env = {
    ...process.env,
    BENCH_BROWSER_OUT: out,
    BENCH_BROWSER_ROUNDS: String(o.rounds),
    BENCH_STEPS: String(o.steps),
    BENCH_WEBGPU_STEPS: String(o.webgpuSteps),
    BENCH_WEBGPU_ROUNDS: String(o.webgpuRounds),
    BENCH_BACKENDS: o.backends.join(','),
    VITE_CONFIG_NATIVE_IGNORE_WARNING: 'true',
  };
  const child = spawn('npx', ['playwright', 'test', '-c', 'playwright.bench.config.ts'], { cwd: o.root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let tail = '';
  const onData = (d: Buffer): void => {
    const text = d.toString();
    tail = (tail + text).slice(-3000);
    for (const line of text.split('\n')) if (/^\s+(browser rounds|wasm|webgpu)|^\[/.test(line) && !/npm warn|WebServer/.test(line)) o.log(line.trimEnd());
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  if (!existsSync(out)) throw new Error(`the browser benchmark wrote no results (exit ${code}): ${tail.trim().split('\n').slice(-6).join(' | ')}`);
  return JSON.parse(readFileSync(out, 'utf8')) as BrowserReport;
}
