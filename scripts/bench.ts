// `npm run bench`: what Prompt-to-Prompt costs, measured side by side on the toy model (Node CPU, Chromium
// wasm/WebGPU, PyTorch) → docs/benchmarks.md; `--gpu`: the SD 1.5-sized fp16 UNet on a GPU machine. `--help`.

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { runBrowserSection } from './bench/browserSection';
import { keptGpuBlock, renderGpuBlock } from './bench/gpuReport';
import { runGpuSection } from './bench/gpuSection';
import type { GpuEp } from './bench/gpuSession';
import { runNodeSection } from './bench/nodeSection';
import { renderReport } from './bench/report';
import { withGpuBlock } from './gpu-pack/packReport';
import { contention, machineInfo, modelSummary, type BenchResults, type BenchSettings } from './bench/results';

const USAGE = `npm run bench -- [options]
  --quick            few repetitions (debugging; figures are not meaningful)
  --threads N        onnxruntime-node and PyTorch threads (default 1: stable on a shared 2-core machine)
  --steps N          PNDM steps (default 20 = the toy model's default)
  --model DIR        model folder (default public/models/toy-shapes, else public/dev-model)
  --no-node | --no-browser | --no-torch   skip a part
  --out FILE         markdown output (default docs/benchmarks.md)
  --render-only      rewrite the markdown from the last run's out/bench/results.json
  --gpu              only the GPU benchmark (SD 1.5-sized fp16 UNet); see docs/benchmarks.md
  --gpu-ep LIST      execution providers to try in order (default webgpu,cuda; cpu = dry run)
  --gpu-dir DIR      export cache (default out/bench-sd15)   --gpu-rounds N (10)  --gpu-calls N (3)
  --gpu-fp32 | --gpu-toy   dry-run variants (fp32 graph; the toy UNet instead of SD 1.5)`;

const ROOT = resolve(import.meta.dirname, '..');
const PYTHON = process.env.PYTHON ?? '/usr/bin/python3';
const log = (line: string): void => console.error(line);

function options() {
  const { values } = parseArgs({
    options: {
      help: { type: 'boolean' }, quick: { type: 'boolean' }, threads: { type: 'string' }, steps: { type: 'string' }, model: { type: 'string' },
      'no-node': { type: 'boolean' }, 'no-browser': { type: 'boolean' }, 'no-torch': { type: 'boolean' }, out: { type: 'string' }, 'render-only': { type: 'boolean' },
      gpu: { type: 'boolean' }, 'gpu-ep': { type: 'string' }, 'gpu-dir': { type: 'string' }, 'gpu-rounds': { type: 'string' },
      'gpu-calls': { type: 'string' }, 'gpu-fp32': { type: 'boolean' }, 'gpu-toy': { type: 'boolean' },
    },
  });
  return values;
}

function defaultModel(): string {
  const found = ['public/models/toy-shapes', 'public/dev-model'].find((m) => existsSync(join(ROOT, m, 'unet/model.onnx')));
  if (!found) throw new Error('no toy model: public/models/toy-shapes (or public/dev-model, docs/engine.md)');
  return join(ROOT, found);
}

function writeDoc(out: string, text: string): void {
  mkdirSync(join(out, '..'), { recursive: true });
  writeFileSync(out, text);
  log(`wrote ${relative(ROOT, out)}`);
}

async function gpuMode(v: ReturnType<typeof options>, out: string): Promise<void> {
  const started = new Date().toISOString();
  const result = await runGpuSection({
    root: ROOT, dir: resolve(v['gpu-dir'] ?? join(ROOT, 'out/bench-sd15')), eps: (v['gpu-ep'] ?? 'webgpu,cuda').split(',') as GpuEp[],
    fp32: v['gpu-fp32'] === true, toy: v['gpu-toy'] === true, latent: v['gpu-toy'] ? 8 : 64, rounds: Number(v['gpu-rounds'] ?? 10),
    calls: Number(v['gpu-calls'] ?? 3), budgetMs: 7 * 60_000, python: PYTHON, log,
  });
  const block = renderGpuBlock(result, started);
  console.log(block);
  writeDoc(out, withGpuBlock(existsSync(out) ? readFileSync(out, 'utf8') : '# Benchmarks', block));
}

async function main(): Promise<void> {
  const v = options();
  if (v.help) return console.log(USAGE);
  const out = resolve(v.out ?? join(ROOT, 'docs/benchmarks.md'));
  if (v.gpu) return gpuMode(v, out);
  const kept = () => keptGpuBlock(existsSync(out) ? readFileSync(out, 'utf8') : null);
  if (v['render-only']) return writeDoc(out, renderReport(JSON.parse(readFileSync(join(ROOT, 'out/bench/results.json'), 'utf8')) as BenchResults, kept()));
  const quick = v.quick === true;
  const settings: BenchSettings = {
    threads: Number(v.threads ?? 1), steps: Number(v.steps ?? 20),
    unetRounds: quick ? 3 : 30, unetCalls: quick ? 5 : 20, runRounds: quick ? 2 : 12, runReps: quick ? 1 : 3,
    browserRounds: quick ? 1 : 8, webgpuSteps: 2, webgpuRounds: quick ? 1 : 2,
  };
  const modelDir = resolve(v.model ?? defaultModel());
  const t0 = performance.now();
  const start = contention();
  const results: BenchResults = {
    startedAt: new Date().toISOString(), command: `npx tsx scripts/bench.ts ${process.argv.slice(2).join(' ')}`.trim(),
    machine: machineInfo(), contention: { loadStart: start.load, others: start.others }, settings, modelDir: relative(ROOT, modelDir),
    modelSummary: modelSummary(modelDir),
  };
  log(`bench on ${results.modelDir}; load ${start.load.toFixed(2)}; others: ${start.others.join('; ') || 'none'}`);
  if (!v['no-node']) {
    try {
      results.node = await runNodeSection({ root: ROOT, modelDir, threads: settings.threads, steps: settings.steps, unetRounds: settings.unetRounds, unetCalls: settings.unetCalls, runRounds: settings.runRounds, runReps: settings.runReps, torch: !v['no-torch'], python: PYTHON, log });
    } catch (err) {
      results.nodeError = err instanceof Error ? err.message : String(err);
      log(`Node part failed: ${results.nodeError}`);
    }
  }
  if (!v['no-browser']) {
    try {
      log('browser part (Playwright, e2e/bench/browser.bench.ts)…');
      results.browser = await runBrowserSection({ root: ROOT, rounds: settings.browserRounds, steps: settings.steps, webgpuSteps: settings.webgpuSteps, webgpuRounds: settings.webgpuRounds, backends: ['wasm-1t', 'wasm-2t', 'webgpu'], log });
    } catch (err) {
      results.browserError = err instanceof Error ? err.message : String(err);
      log(`browser part failed: ${results.browserError}`);
    }
  }
  const end = contention();
  results.contention.loadEnd = end.load;
  results.contention.others = [...new Set([...start.others, ...end.others])];
  results.finishedAt = new Date().toISOString();
  results.durationS = (performance.now() - t0) / 1000;
  mkdirSync(join(ROOT, 'out/bench'), { recursive: true });
  writeFileSync(join(ROOT, 'out/bench/results.json'), `${JSON.stringify(results, null, 2)}\n`);
  const report = renderReport(results, kept());
  console.log(report);
  writeDoc(out, report);
}

main().catch((err: unknown) => {
  console.error(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exitCode = 1;
});
