// What fusing the unedited self-attention layers (instrumentUnet's `fuseUnedited`) saves, on
// onnxruntime-node: the toy UNet at a 64×64 latent (SD 1.5 at 512 px: 4096-query self-attention at full
// resolution, the size Prompt-to-Prompt leaves unedited), batch 4 (2 prompts × CFG), selfMaxQuery 256.
// Each variant runs in its own process (peak RSS = getrusage maxrss); per-call times are medians.
//   npx tsx scripts/bench/fusion.ts [--calls N] [--latent S]      (prints a markdown table)

import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-node';
import { torchRandn } from '../../src/diffusion';
import { decodeModel, instrumentUnet } from '../../src/onnx';
import { toyUnetWithSymbolicLatent } from '../../tests/helpers/toyModel';
import { summarize } from './stats';

const ROOT = resolve(import.meta.dirname, '../..');
const MB = 1024 * 1024;

async function child(variant: 'fused' | 'unfused', side: number, calls: number): Promise<void> {
  const bytes = toyUnetWithSymbolicLatent();
  const result = instrumentUnet(bytes, { latentSize: [side, side], selfMaxQuery: 256, mapLevel: 1, fuseUnedited: variant === 'fused' });
  const dir = mkdtempSync(join(tmpdir(), `fusion-${variant}-`));
  writeFileSync(join(dir, 'model.onnx'), result.model);
  if (result.externalData) writeFileSync(join(dir, result.externalData.path), result.externalData.data);
  const session = await ort.InferenceSession.create(join(dir, 'model.onnx'), { intraOpNumThreads: 1, interOpNumThreads: 1 });
  const context = decodeModel(bytes).graph!.input!.find((i) => i.name === 'encoder_hidden_states')!;
  const D = Number(context.type!.tensorType!.shape!.dim![2].dimValue);
  const feeds = {
    sample: new ort.Tensor('float32', torchRandn(1, [4, 4, side, side]), [4, 4, side, side]),
    timestep: new ort.Tensor('float32', Float32Array.of(500), [1]),
    encoder_hidden_states: new ort.Tensor('float32', torchRandn(2, [4, 77, D]), [4, 77, D]),
    p2p_map: new ort.Tensor('float32', Float32Array.from({ length: 77 * 77 }, (_, i) => (i % 78 === 0 ? 1 : 0)), [1, 77, 77]),
    p2p_gain: new ort.Tensor('float32', new Float32Array(77).fill(0.5), [1, 77]),
    p2p_keep: new ort.Tensor('float32', new Float32Array(77).fill(0.5), [1, 77]),
    p2p_self: new ort.Tensor('float32', Float32Array.of(1), [1]),
  };
  const loadedPeak = (process.resourceUsage().maxRSS * 1024) / MB;
  const times: number[] = [];
  let out: Float32Array | undefined;
  for (let i = 0; i < calls; i++) {
    const t = performance.now();
    const r = await session.run(feeds);
    times.push(performance.now() - t);
    out = r.out_sample.data as Float32Array;
  }
  const checksum = out!.reduce((s, v) => s + v, 0);
  const fused = result.report.counts.fusedKernel;
  console.log(JSON.stringify({ variant, times, loadedPeakMB: loadedPeak, runPeakMB: (process.resourceUsage().maxRSS * 1024) / MB, fused, checksum, first: Array.from(out!.slice(0, 1024)) }));
}

function runChild(variant: string, side: number, calls: number): Record<string, unknown> & { times: number[]; first: number[] } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', import.meta.filename, '--child', variant, '--latent', String(side), '--calls', String(calls)], { encoding: 'utf8', cwd: ROOT });
  if (r.status !== 0) throw new Error(`${variant}: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { child: { type: 'string' }, latent: { type: 'string' }, calls: { type: 'string' } } });
  const side = Number(values.latent ?? 64);
  const calls = Number(values.calls ?? 5);
  if (values.child) return child(values.child as 'fused' | 'unfused', side, calls);
  // Alternate the two processes so machine load hits both alike.
  const runs = { unfused: [] as ReturnType<typeof runChild>[], fused: [] as ReturnType<typeof runChild>[] };
  for (let round = 0; round < 2; round++) for (const v of ['unfused', 'fused'] as const) runs[v].push(runChild(v, side, calls));
  const row = (v: 'unfused' | 'fused') => {
    const times = runs[v].flatMap((r) => r.times.slice(1)); // first call warms up
    const peak = Math.max(...runs[v].map((r) => r.runPeakMB as number));
    const loaded = Math.max(...runs[v].map((r) => r.loadedPeakMB as number));
    return { ms: summarize(times).median, peak, loaded, fused: runs[v][0].fused as number };
  };
  const [u, f] = [row('unfused'), row('fused')];
  const diff = Math.max(...runs.fused[0].first.map((x, i) => Math.abs(x - runs.unfused[0].first[i])));
  console.log(`toy UNet, latent ${side}×${side} (full-resolution self-attention: ${side * side} queries), batch 4, 1 thread, ${calls} calls × 2 processes per variant\n`);
  console.log('| variant | fused layers | UNet call (median ms) | peak RSS after load (MB) | peak RSS after calls (MB) |');
  console.log('| --- | --- | --- | --- | --- |');
  console.log(`| unfused (probabilities materialised) | ${u.fused} | ${u.ms.toFixed(0)} | ${u.loaded.toFixed(0)} | ${u.peak.toFixed(0)} |`);
  console.log(`| fused (com.microsoft.MultiHeadAttention) | ${f.fused} | ${f.ms.toFixed(0)} | ${f.loaded.toFixed(0)} | ${f.peak.toFixed(0)} |`);
  console.log(`\nratio fused/unfused: time ${(f.ms / u.ms).toFixed(3)}, peak-RSS growth during calls ${((f.peak - f.loaded) / Math.max(1, u.peak - u.loaded)).toFixed(3)}; outputs max |Δ| ${diff.toExponential(2)}`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exitCode = 1;
});
