// The Node part of the benchmark: loads the toy model stock and instrumented on onnxruntime-node, times
// UNet calls and full generations (with the PyTorch reference interleaved), and the peak RSS of one run.

import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import type { InstrumentOptions } from '../../src/onnx';
import { join } from 'node:path';
import { loadNodeModel } from '../../src/runtime/nodeModel';
import { benchRuns, runRequests, type ExternalTimer, type RunSamples } from './nodeRuns';
import { profileUnet, type ProfileResult } from './nodeProfile';
import { benchUnetCalls, unetInputsFor, type UnetCallSamples } from './nodeUnet';
import { startTorch, type TorchInfo } from './torchClient';

export interface NodeSectionOptions {
  root: string;
  modelDir: string;
  threads: number;
  steps: number;
  unetRounds: number;
  unetCalls: number;
  runRounds: number;
  runReps: number;
  torch: boolean;
  python: string;
  torchCkpt?: string;
  log: (line: string) => void;
}

export interface NodeMemory {
  startPeakMB: number;
  loadedPeakMB: number;
  runPeakMB: number;
}

export interface NodeSectionResult {
  unet: UnetCallSamples;
  runs: RunSamples;
  torch?: TorchInfo;
  torchError?: string;
  memory?: NodeMemory;
  memoryError?: string;
  profile?: ProfileResult;
  profileError?: string;
  loadMs: { stock: number; instrumented: number };
  instrumentedLayers?: string;
}

function measureMemory(o: NodeSectionOptions): NodeMemory {
  const script = join(o.root, 'scripts/bench/nodeMemory.ts');
  const out = execFileSync(process.execPath, ['--import', 'tsx', script, o.modelDir, String(o.threads), String(o.steps)], { cwd: o.root, encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').pop()!) as NodeMemory;
}

/** The instrumentation settings loadNodeModel derives from the folder (p2p.json, unet/config.json). */
function instrumentOptions(dir: string): InstrumentOptions {
  const read = (f: string): Record<string, unknown> => (existsSync(join(dir, f)) ? (JSON.parse(readFileSync(join(dir, f), 'utf8')) as Record<string, unknown>) : {});
  const p2p = read('p2p.json');
  const size = read('unet/config.json').sample_size;
  const out: InstrumentOptions = {};
  if (typeof size === 'number') out.latentSize = [size, size];
  if (typeof p2p.selfMaxQuery === 'number') out.selfMaxQuery = p2p.selfMaxQuery;
  if (typeof p2p.mapResolution === 'number') out.mapResolution = p2p.mapResolution;
  return out;
}

async function profileSafely(o: NodeSectionOptions, model: Awaited<ReturnType<typeof loadNodeModel>>, request: Parameters<typeof unetInputsFor>[1]): Promise<{ profile?: ProfileResult; profileError?: string }> {
  try {
    o.log('profiling the UNet graphs (onnxruntime profiler)…');
    const { inputs, edit, identity } = await unetInputsFor(model, request, 2);
    return { profile: await profileUnet(o.modelDir, instrumentOptions(o.modelDir), inputs, { identity, edit }, o.unetCalls, o.threads) };
  } catch (err) {
    return { profileError: err instanceof Error ? err.message : String(err) };
  }
}

export async function runNodeSection(o: NodeSectionOptions): Promise<NodeSectionResult> {
  let t0 = performance.now();
  const stock = await loadNodeModel(o.modelDir, { instrument: false, threads: o.threads });
  const stockMs = performance.now() - t0;
  t0 = performance.now();
  const instrumented = await loadNodeModel(o.modelDir, { instrument: true, threads: o.threads });
  const instrumentedMs = performance.now() - t0;
  const report = instrumented.instrumentReport;
  const requests = runRequests(['a red circle', 'a red square'], ['circle', 'square'], o.steps);
  const external: Record<string, ExternalTimer> = {};
  let torch: Awaited<ReturnType<typeof startTorch>> | undefined;
  let torchError: string | undefined;
  if (o.torch) {
    try {
      o.log('starting the PyTorch reference (bench_torch.py serve)…');
      torch = await startTorch({ python: o.python, script: join(o.root, 'tools/toy-model/bench_torch.py'), ckpt: o.torchCkpt, threads: o.threads, steps: o.steps });
      const server = torch;
      external.torchEdit = () => server.run('edit');
      external.torchPlain = () => server.run('plain');
    } catch (err) {
      torchError = err instanceof Error ? err.message : String(err);
      o.log(`PyTorch reference unavailable: ${torchError}`);
    }
  }
  try {
    o.log(`UNet calls: ${o.unetRounds} rounds × ${o.unetCalls} calls × 3 variants`);
    const unet = await benchUnetCalls(stock, instrumented, requests.edit, { rounds: o.unetRounds, calls: o.unetCalls, warmup: 3, log: o.log });
    o.log(`generations: ${o.runRounds} rounds × (5 variants × ${o.runReps} + ${Object.keys(external).length} PyTorch) (${o.steps} steps)`);
    const runs = await benchRuns(stock, instrumented, requests, { rounds: o.runRounds, reps: o.runReps, warmup: 1, external, log: o.log });
    let memory: NodeMemory | undefined;
    let memoryError: string | undefined;
    try {
      o.log('peak memory of one engine process…');
      memory = measureMemory(o);
    } catch (err) {
      memoryError = err instanceof Error ? err.message : String(err);
    }
    const prof = await profileSafely(o, instrumented, requests.edit);
    const c = report?.counts;
    const layers = c ? `${c.cross} cross + ${c.self} self attention layers, ${c.edited} edited, ${c.mapLayers} map layers (${report.mapResolution}×${report.mapResolution})` : undefined;
    return { unet, runs, torch: torch?.info, torchError, memory, memoryError, ...prof, loadMs: { stock: stockMs, instrumented: instrumentedMs }, instrumentedLayers: layers };
  } finally {
    await torch?.close();
    await stock.dispose();
    await instrumented.dispose();
  }
}
