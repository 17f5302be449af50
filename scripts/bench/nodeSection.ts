// The Node part of the benchmark: loads the toy model stock and instrumented on onnxruntime-node, times
// UNet calls and full generations (with the PyTorch reference interleaved), and the peak RSS of one run.

import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { loadNodeModel } from '../../src/runtime/nodeModel';
import { benchRuns, runRequests, type ExternalTimer, type RunSamples } from './nodeRuns';
import { benchUnetCalls, type UnetCallSamples } from './nodeUnet';
import { startTorch, type TorchInfo } from './torchClient';

export interface NodeSectionOptions {
  root: string;
  modelDir: string;
  threads: number;
  steps: number;
  unetRounds: number;
  unetCalls: number;
  runRounds: number;
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
  loadMs: { stock: number; instrumented: number };
  instrumentedLayers?: string;
}

function measureMemory(o: NodeSectionOptions): NodeMemory {
  const script = join(o.root, 'scripts/bench/nodeMemory.ts');
  const out = execFileSync(process.execPath, ['--import', 'tsx', script, o.modelDir, String(o.threads), String(o.steps)], { cwd: o.root, encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').pop()!) as NodeMemory;
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
    o.log(`generations: ${o.runRounds} rounds × ${5 + Object.keys(external).length} variants (${o.steps} steps)`);
    const runs = await benchRuns(stock, instrumented, requests, { rounds: o.runRounds, warmup: 1, external, log: o.log });
    let memory: NodeMemory | undefined;
    let memoryError: string | undefined;
    try {
      o.log('peak memory of one engine process…');
      memory = measureMemory(o);
    } catch (err) {
      memoryError = err instanceof Error ? err.message : String(err);
    }
    const c = report?.counts;
    const layers = c ? `${c.cross} cross + ${c.self} self attention layers, ${c.edited} edited, ${c.mapLayers} map layers (${report.mapResolution}×${report.mapResolution})` : undefined;
    return { unet, runs, torch: torch?.info, torchError, memory, memoryError, loadMs: { stock: stockMs, instrumented: instrumentedMs }, instrumentedLayers: layers };
  } finally {
    await torch?.close();
    await stock.dispose();
    await instrumented.dispose();
  }
}
