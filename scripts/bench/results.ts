// Everything one `npm run bench` run measured (written to out/bench/results.json and rendered into
// docs/benchmarks.md by report.ts), plus what else was running on the machine.

import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import type { BrowserReport } from '../../e2e/bench/benchTypes';
import type { NodeSectionResult } from './nodeSection';

export interface MachineInfo {
  cpu: string;
  cores: number;
  memGB: number;
  node: string;
}

export interface Contention {
  /** 1-minute load average at the start and at the end. */
  loadStart: number;
  loadEnd?: number;
  /** Other heavy processes seen at the start and end (training, evaluation, tests, other browsers). */
  others: string[];
}

export interface BenchSettings {
  threads: number;
  steps: number;
  unetRounds: number;
  unetCalls: number;
  runRounds: number;
  /** Runs per onnxruntime variant per round (the median one is kept). */
  runReps: number;
  browserRounds: number;
  webgpuSteps: number;
  webgpuRounds: number;
}

export interface BenchResults {
  startedAt: string;
  finishedAt?: string;
  durationS?: number;
  command: string;
  machine: MachineInfo;
  contention: Contention;
  settings: BenchSettings;
  modelDir: string;
  /** One line on the benchmarked model, read from its unet/config.json and p2p.json. */
  modelSummary?: string;
  node?: NodeSectionResult;
  nodeError?: string;
  browser?: BrowserReport;
  browserError?: string;
}

/** "UNet 1.46 M parameters, latent 4×16×16, image 32×32" from a model folder's configs (what it has of them). */
export function modelSummary(dir: string): string | undefined {
  const read = (p: string): Record<string, unknown> | null => (existsSync(join(dir, p)) ? (JSON.parse(readFileSync(join(dir, p), 'utf8')) as Record<string, unknown>) : null);
  const unet = read('unet/config.json');
  const p2p = read('p2p.json');
  const parts: string[] = [];
  if (typeof unet?.num_parameters === 'number') parts.push(`UNet ${(unet.num_parameters / 1e6).toFixed(2)} M parameters`);
  const latent = p2p?.latentSize ?? unet?.sample_size;
  if (typeof latent === 'number') parts.push(`latent ${String(p2p?.latentChannels ?? unet?.in_channels ?? 4)}×${latent}×${latent}`);
  if (typeof p2p?.imageSize === 'number') parts.push(`image ${p2p.imageSize}×${p2p.imageSize}`);
  return parts.length ? parts.join(', ') : undefined;
}

export function machineInfo(): MachineInfo {
  const list = cpus();
  return { cpu: list[0]?.model ?? 'unknown', cores: list.length, memGB: Math.round(totalmem() / 2 ** 30), node: process.version };
}

const HEAVY = /train\.py|evaluate\.py|analyse\.py|vitest|playwright|chromium --type=renderer|tsc -p|vite build|export\.py/;

/** Heavy processes other than this one and its children (by command line), and the load average. */
export function contention(exclude: number[] = [process.pid]): { load: number; others: string[] } {
  let lines: string[] = [];
  try {
    lines = execFileSync('ps', ['-eo', 'pid=,ppid=,pcpu=,args='], { encoding: 'utf8' }).split('\n');
  } catch {
    // No ps: only the load average.
  }
  const mine = new Set(exclude);
  const rows = lines.map((l) => l.trim().split(/\s+/)).filter((p) => p.length >= 4);
  // Children of this process (the PyTorch server, Playwright, Chromium) are part of the benchmark.
  for (let grew = true; grew; ) {
    grew = false;
    for (const [pid, ppid] of rows) if (mine.has(Number(ppid)) && !mine.has(Number(pid))) grew = mine.add(Number(pid)) !== undefined;
  }
  const others = rows
    .filter(([pid, , , ...args]) => !mine.has(Number(pid)) && HEAVY.test(args.join(' ')) && !/^(npm|sh|\/bin\/sh) /.test(args.join(' ')))
    .map(([, , pcpu, ...args]) => `${args.join(' ').replace(/^\S*\//, '').slice(0, 60)} (${pcpu}% CPU over its lifetime)`);
  return { load: loadavg()[0], others: [...new Set(others)].slice(0, 12) };
}
