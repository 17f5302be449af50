// Everything one `npm run bench` run measured (written to out/bench/results.json and rendered into
// docs/benchmarks.md by report.ts), plus what else was running on the machine.

import { execFileSync } from 'node:child_process';
import { cpus, loadavg, totalmem } from 'node:os';
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
  node?: NodeSectionResult;
  nodeError?: string;
  browser?: BrowserReport;
  browserError?: string;
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
