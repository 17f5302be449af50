// The GPU pack's benchmark, bundled into `bench.mjs` by `npm run gpu-pack` and started by the pack's run.sh on a
// bare GPU machine (no npm there): random SD 1.5 weights from the skeletons, stock vs instrumented UNet calls,
// fused vs materialised attention parity, full 2-prompt edits vs plain batch-4 generations through the engine's
// loop, and the native PyTorch anchor. Every part has a deadline; a part that fails is recorded, not fatal.

import { spawn } from 'node:child_process';
import { existsSync, linkSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-node';
import { generate, type GenerateRequest } from '../../src/diffusion';
import { instrumentUnet } from '../../src/onnx';
import { loadNodeModel, type NodeModel } from '../../src/runtime/nodeModel';
import type { GpuEp } from '../bench/gpuSession';
import { graphParity } from '../bench/outputParity';
import { rotate } from '../bench/stats';
import { timeUnetVariants } from '../bench/unetVariants';
import { probeAll } from '../probe/mhaProbe';
import { writeRandomSd } from '../random-sd/writeRandomSd';
import type { PackResults } from './packResults';
import { CHART_FILE, renderPackChart, renderPackReport } from './packReport';

const log = (line: string): void => console.error(`[${new Date().toISOString().slice(11, 19)}] ${line}`);
const message = (err: unknown): string => (err instanceof Error ? err.message : String(err)).split('\n')[0];

function args() {
  const { values } = parseArgs({
    options: {
      out: { type: 'string' }, work: { type: 'string' }, skeletons: { type: 'string' }, ep: { type: 'string' }, scale: { type: 'string' },
      steps: { type: 'string' }, rounds: { type: 'string' }, calls: { type: 'string' }, 'budget-s': { type: 'string' },
      python: { type: 'string' }, anchor: { type: 'string' }, 'model-py': { type: 'string' }, gpu: { type: 'string' },
    },
  });
  const need = (k: keyof typeof values): string => {
    const v = values[k];
    if (typeof v !== 'string') throw new Error(`runner: --${k} is required`);
    return v;
  };
  const scale = values.scale ?? 'full';
  if (scale !== 'full' && scale !== 'mini') throw new Error(`runner: --scale is full or mini, not ${scale}`);
  return {
    out: need('out'), work: need('work'), skeletons: need('skeletons'), scale: scale as 'full' | 'mini',
    eps: (values.ep ?? 'webgpu,cuda').split(',') as GpuEp[], steps: Number(values.steps ?? 50), rounds: Number(values.rounds ?? 10),
    calls: Number(values.calls ?? 3), budgetS: Number(values['budget-s'] ?? 420), python: values.python ?? 'python3',
    anchor: values.anchor, modelPy: values['model-py'], gpu: values.gpu,
  };
}

/** The native anchor (anchor.py) in its own process; resolves to its JSON or rejects with its stderr tail. */
function runAnchor(python: string, script: string, modelPy: string, out: string, timeoutMs: number): Promise<NonNullable<PackResults['anchor']>> {
  return new Promise((resolve, reject) => {
    const child = spawn(python, [script], { env: { ...process.env, MODEL_PY_DIR: modelPy, OUT: out }, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-2000)));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      const file = join(out, 'anchor.json');
      if (code === 0 && existsSync(file)) resolve(JSON.parse(readFileSync(file, 'utf8')) as NonNullable<PackResults['anchor']>);
      else reject(new Error(`anchor.py exited ${code ?? 'on a signal (time limit)'}: ${err.trim().split('\n').pop() ?? ''}`));
    });
  });
}

const EDIT: GenerateRequest = {
  prompts: ['a cat riding a bicycle', 'a dog riding a bicycle'],
  edit: { kind: 'replace', crossReplaceSteps: 0.8, selfReplaceSteps: 0.4 },
  seed: 8888,
  steps: 50,
  guidance: 7.5,
  scheduler: 'pndm',
};

/** Full generations interleaved (order rotated per round) until `rounds` or the deadline. */
async function timePipelines(ep: GpuEp, dir: string, steps: number, rounds: number, deadline: number): Promise<NonNullable<PackResults['pipelines']>> {
  let t = performance.now();
  const instrumented = await loadNodeModel(dir, { instrument: true, executionProvider: ep });
  const instrumentedMs = performance.now() - t;
  t = performance.now();
  let stock: NodeModel | undefined;
  try {
    stock = await loadNodeModel(dir, { instrument: false, executionProvider: ep });
    const stockMs = performance.now() - t;
    const edit = { ...EDIT, steps };
    const plain = { ...edit, edit: undefined };
    const variants = { edit: [instrumented, edit], plain: [instrumented, plain], plainStock: [stock, plain] } as const;
    const names = Object.keys(variants) as (keyof typeof variants)[];
    const out: NonNullable<PackResults['pipelines']> = { loadMs: { instrumented: instrumentedMs, stock: stockMs }, edit: [], plain: [], plainStock: [], stoppedEarly: false };
    for (const n of names) await generate(variants[n][0], { ...variants[n][1], steps: 2 });
    for (let r = 0; r < rounds; r++) {
      if (performance.now() > deadline) {
        out.stoppedEarly = true;
        break;
      }
      for (const n of rotate(names, r)) out[n].push((await generate(variants[n][0], variants[n][1])).timings);
      log(`  generation rounds ${r + 1}/${rounds}: edit ${(out.edit[r].total / 1000).toFixed(2)} s`);
    }
    return out;
  } finally {
    await instrumented.dispose();
    await stock?.dispose();
  }
}

async function main(): Promise<void> {
  const a = args();
  const t0 = performance.now();
  const deadline = t0 + a.budgetS * 1000;
  mkdirSync(a.out, { recursive: true });
  const sd = join(a.work, `random-sd-${a.scale}`);
  const r: PackResults = {
    startedAt: new Date().toISOString(), command: `run.sh ${process.argv.slice(2).join(' ')}`,
    machine: { node: process.version, onnxruntime: ort.env.versions.node ?? '?', cpus: cpus()[0]?.model ?? '?', cores: cpus().length, memoryGB: Math.round(totalmem() / 1e9), gpu: a.gpu },
    settings: { scale: a.scale, steps: a.steps, latent: 0, eps: a.eps, rounds: a.rounds, calls: a.calls, budgetS: a.budgetS },
    epErrors: [], errors: {},
  };
  const save = (): void => {
    r.finishedAt = new Date().toISOString();
    r.durationS = (performance.now() - t0) / 1000;
    writeFileSync(join(a.out, 'results.json'), `${JSON.stringify(r, null, 2)}\n`);
    writeFileSync(join(a.out, 'results.md'), renderPackReport(r));
    writeFileSync(join(a.out, CHART_FILE), renderPackChart(r));
  };

  // The anchor uses the GPU while the weights are written on the CPU; it is awaited before any ORT timing.
  const anchor = a.anchor && a.modelPy ? runAnchor(a.python, a.anchor, a.modelPy, a.out, 180_000) : Promise.reject(new Error('no anchor script given'));
  anchor.catch(() => {});
  let t = performance.now();
  log(`writing the random SD 1.5 pipeline (${a.scale}) to ${sd} …`);
  const written = writeRandomSd({ scale: a.scale, out: sd, skeletons: a.skeletons });
  const components: NonNullable<PackResults['weights']>['components'] = {};
  for (const [name, c] of Object.entries(written.components)) components[name] = { parameters: c.parameters, precision: c.precision, dataBytes: c.dataBytes };
  r.weights = { ms: performance.now() - t, components };
  const latent = written.shape.sampleSize;
  const width = written.shape.crossAttentionDim;
  r.settings.latent = latent;
  log(`weights in ${(r.weights.ms / 1000).toFixed(1)} s`);
  try {
    r.anchor = await anchor;
    log(`anchor: ${r.anchor.device}, ${r.anchor.results.length} rows`);
  } catch (err) {
    r.errors.anchor = message(err);
    log(`anchor failed: ${r.errors.anchor}`);
  }
  save();

  const unetDir = join(sd, 'unet');
  const stockPath = join(unetDir, 'model.onnx');
  const paths = { p2p: join(unetDir, 'model.p2p.onnx'), fused: join(unetDir, 'model.p2p-fused.onnx') };
  const bytes = new Uint8Array(readFileSync(stockPath));
  t = performance.now();
  const p2p = instrumentUnet(bytes, { latentSize: [latent, latent] });
  const ms = performance.now() - t;
  t = performance.now();
  const fused = instrumentUnet(bytes, { latentSize: [latent, latent], fuseUnedited: true });
  const fusedMs = performance.now() - t;
  writeFileSync(paths.p2p, p2p.model);
  writeFileSync(paths.fused, fused.model);
  // Weights the stock graph embeds are read from it under the name the rewrite points them at.
  for (const x of [p2p, fused]) if (x.externalData && !existsSync(join(unetDir, x.externalData.path))) linkSync(stockPath, join(unetDir, x.externalData.path));
  const c = p2p.report.counts;
  r.instrument = { ms, fusedMs, layers: `${c.cross} cross + ${c.self} self attention layers, ${c.edited} edited`, fusedLayers: fused.report.counts.fusedKernel };
  log(`instrumented in ${(ms / 1000).toFixed(2)} s (${r.instrument.layers}); ${r.instrument.fusedLayers} unedited layers fused`);

  // UNet calls: a third of what is left, on the first execution provider that opens.
  for (const ep of a.eps) {
    try {
      const share = performance.now() + (deadline - performance.now()) / 3;
      r.unet = await timeUnetVariants(
        [
          { name: 'stock', path: stockPath, edit: false },
          { name: 'identity', path: paths.p2p, edit: false },
          { name: 'edit', path: paths.p2p, edit: true },
          { name: 'fusedIdentity', path: paths.fused, edit: false },
          { name: 'fusedEdit', path: paths.fused, edit: true },
        ],
        { ep, latent, width, rounds: a.rounds, calls: a.calls, deadline: share, log },
      );
      r.ep = ep;
      break;
    } catch (err) {
      r.epErrors.push(`${ep}: ${message(err)}`);
      log(`execution provider ${ep} failed: ${message(err)}`);
    }
  }
  save();
  if (!r.ep) throw new Error(`no execution provider worked: ${r.epErrors.join('; ')}`);
  const ep = r.ep as GpuEp;

  try {
    r.parity = await graphParity(paths.p2p, paths.fused, { ep, latent, width });
    log(`fused vs materialised: identity ${r.parity.identity.rel.toExponential(2)}, edit ${r.parity.edit.rel.toExponential(2)} (relative to the output scale)`);
  } catch (err) {
    r.errors.parity = message(err);
  }
  try {
    r.mha = await probeAll(ep);
    const worst = Math.max(...r.mha.flatMap((row) => row.results.map((x) => x.rel ?? Infinity)));
    log(`MultiHeadAttention probe: ${r.mha.length} shapes, worst relative error ${worst.toExponential(2)}`);
  } catch (err) {
    r.errors.mha = message(err);
  }
  save();

  try {
    log(`full generations: ${a.steps} PNDM steps, latent ${latent}×${latent}, VAE included`);
    r.pipelines = await timePipelines(ep, sd, a.steps, a.rounds, deadline);
  } catch (err) {
    r.errors.pipelines = message(err);
    log(`pipelines failed: ${r.errors.pipelines}`);
  }
  save();
  log(`done in ${((performance.now() - t0) / 1000).toFixed(0)} s: ${join(a.out, 'results.md')}`);
}

main().catch((err: unknown) => {
  console.error(`gpu pack failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exitCode = 1;
});
