// Where the instrumented UNet's extra time goes: onnxruntime-node's profiler over stock, identity and edit
// calls; kernel time of the `/p2p/` nodes per call, per edited layer kind (cross / self) and per op type.

import { copyFileSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import type { P2PInputs, UnetInputs } from '../../src/diffusion';
import { instrumentUnet, type InstrumentOptions } from '../../src/onnx';

export interface KernelProfile {
  /** Kernel µs per call, all nodes. */
  totalUs: number;
  /** Kernel µs per call of the inserted `/p2p/` nodes. */
  p2pUs: number;
  /** µs per call and layer: cross-attention (attn2) and self-attention (attn1) edit subgraphs; global (map sum). */
  perCrossLayerUs: number;
  perSelfLayerUs: number;
  globalUs: number;
  /** The most expensive op types among the `/p2p/` nodes, µs per call. */
  topOps: [string, number][];
}

export interface ProfileResult {
  stock: KernelProfile;
  identity: KernelProfile;
  edit: KernelProfile;
  calls: number;
}

interface TraceEvent {
  cat?: string;
  name?: string;
  ts?: number;
  dur?: number;
  args?: { op_name?: string };
}

function feeds(inp: UnetInputs, p2p: P2PInputs | null): Record<string, ort.Tensor> {
  const f: Record<string, ort.Tensor> = {
    sample: new ort.Tensor('float32', inp.sample, inp.sampleDims),
    timestep: new ort.Tensor('float32', Float32Array.of(inp.timestep), [1]),
    encoder_hidden_states: new ort.Tensor('float32', inp.context, inp.contextDims),
  };
  if (p2p) {
    f.p2p_map = new ort.Tensor('float32', p2p.map, [p2p.edits, 77, 77]);
    f.p2p_gain = new ort.Tensor('float32', p2p.gain, [p2p.edits, 77]);
    f.p2p_keep = new ort.Tensor('float32', p2p.keep, [p2p.edits, 77]);
    f.p2p_self = new ort.Tensor('float32', Float32Array.of(p2p.self ? 1 : 0), [1]);
  }
  return f;
}

function summarizeTrace(events: TraceEvent[], calls: number): KernelProfile {
  let total = 0;
  let p2p = 0;
  let cross = 0;
  let self = 0;
  let global = 0;
  const layers = { cross: new Set<string>(), self: new Set<string>() };
  const ops = new Map<string, number>();
  for (const e of events) {
    if (e.cat !== 'Node' || !e.name?.endsWith('_kernel_time') || typeof e.dur !== 'number') continue;
    const name = e.name.slice(0, -'_kernel_time'.length);
    total += e.dur;
    const at = name.indexOf('/p2p/');
    if (at < 0) continue;
    p2p += e.dur;
    const op = e.args?.op_name ?? '?';
    ops.set(op, (ops.get(op) ?? 0) + e.dur);
    const layer = name.slice(0, at);
    if (layer.endsWith('attn2')) (cross += e.dur), layers.cross.add(layer);
    else if (layer.endsWith('attn1')) (self += e.dur), layers.self.add(layer);
    else global += e.dur;
  }
  const top = [...ops].sort((a, b) => b[1] - a[1]).slice(0, 4).map(([op, us]): [string, number] => [op, us / calls]);
  return {
    totalUs: total / calls,
    p2pUs: p2p / calls,
    perCrossLayerUs: layers.cross.size ? cross / calls / layers.cross.size : 0,
    perSelfLayerUs: layers.self.size ? self / calls / layers.self.size : 0,
    globalUs: global / calls,
    topOps: top,
  };
}

const WARMUP = 3;

async function profile(path: string, dir: string, prefix: string, f: Record<string, ort.Tensor>, calls: number, threads: number): Promise<KernelProfile> {
  const session = await ort.InferenceSession.create(path, { executionProviders: ['cpu'], graphOptimizationLevel: 'all', intraOpNumThreads: threads, enableProfiling: true, profileFilePrefix: join(dir, prefix) });
  for (let i = 0; i < WARMUP + calls; i++) await session.run(f);
  session.endProfiling();
  await session.release();
  const file = readdirSync(dir).find((n) => n.startsWith(prefix) && n.endsWith('.json'));
  if (!file) throw new Error(`onnxruntime wrote no profile for ${prefix}`);
  const events = JSON.parse(readFileSync(join(dir, file), 'utf8')) as TraceEvent[];
  // Drop the warm-up calls: node events before the end of the last warm-up `model_run`.
  const runs = events.filter((e) => e.cat === 'Session' && e.name === 'model_run').sort((a, b) => (a.ts ?? 0) - (b.ts ?? 0));
  const cut = runs.length > WARMUP ? (runs[WARMUP - 1].ts ?? 0) + (runs[WARMUP - 1].dur ?? 0) : 0;
  return summarizeTrace(events.filter((e) => (e.ts ?? 0) >= cut), runs.length > WARMUP ? calls : WARMUP + calls);
}

export async function profileUnet(modelDir: string, options: InstrumentOptions, inp: UnetInputs, p2p: { identity: P2PInputs; edit: P2PInputs }, calls: number, threads: number): Promise<ProfileResult> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-profile-'));
  try {
    const stockPath = join(modelDir, 'unet/model.onnx');
    const made = instrumentUnet(new Uint8Array(readFileSync(stockPath)), options);
    if (made.externalData) copyFileSync(stockPath, join(dir, made.externalData.path));
    const p2pPath = join(dir, 'model.onnx');
    writeFileSync(p2pPath, made.model);
    return {
      stock: await profile(stockPath, dir, 'stock', feeds(inp, null), calls, threads),
      identity: await profile(p2pPath, dir, 'identity', feeds(inp, p2p.identity), calls, threads),
      edit: await profile(p2pPath, dir, 'edit', feeds(inp, p2p.edit), calls, threads),
      calls,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
