// `npx tsx scripts/random-sd/measure.ts DIR`: memory and time of instrumenting a (random-sd) pipeline's UNet,
// creating its sessions on onnxruntime-node, and one batch-4 edit call of the UNet at the model's latent size.
// Prints one markdown table for docs/models.md. Peak RSS is the process's (getrusage maxrss, monotonic);
// JS heap is sampled every 10 ms during async phases and read right after synchronous ones.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { identityP2P } from '../../src/diffusion';
import { instrumentUnet } from '../../src/onnx';
import { instrumentDefaults, resolveLayout } from '../../src/models/layout';
import { dirLayoutReader } from '../../src/runtime/nodeLayoutReader';
import { loadNodeModel } from '../../src/runtime/nodeModel';

const MB = 1 << 20;
let heapPeak = 0;
const sample = () => (heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed));
const timer = setInterval(sample, 10);
const rows: string[] = [];

async function phase<T>(name: string, fn: () => Promise<T> | T): Promise<T> {
  heapPeak = 0;
  sample();
  const t0 = performance.now();
  const out = await fn();
  sample();
  const ms = performance.now() - t0;
  const rss = process.resourceUsage().maxRSS / 1024;
  rows.push(`| ${name} | ${(ms / 1000).toFixed(2)} s | ${(heapPeak / MB).toFixed(0)} MB | ${rss.toFixed(0)} MB |`);
  console.error(rows[rows.length - 1]);
  return out;
}

async function main(dir: string): Promise<void> {
  const layout = await phase('resolve the layout (configs, graph metadata)', () => resolveLayout(dirLayoutReader(dir)));
  const graph = new Uint8Array(readFileSync(join(dir, 'unet/model.onnx')));
  const result = await phase('instrument the UNet graph (weights stay in model.onnx_data)', () => instrumentUnet(graph, instrumentDefaults(layout)));
  const model = await phase('instrument + create the three sessions (loadNodeModel)', () => loadNodeModel(dir, { instrument: true, threads: 2 }));
  const [h, w] = layout.latentSize;
  const dim = Number((layout.configs['unet/config.json'] as { cross_attention_dim?: number }).cross_attention_dim ?? 768);
  const p2p = { ...identityP2P(1), self: true };
  p2p.gain.fill(1);
  p2p.keep.fill(0);
  const n = 4 * 4 * h * w;
  const out = await phase(`one UNet call, batch 4, ${h}x${w} latents, edit on (${layout.precision})`, () =>
    model.backend.unet({
      sample: Float32Array.from({ length: n }, (_, i) => Math.sin(i)),
      sampleDims: [4, 4, h, w],
      timestep: 981,
      context: Float32Array.from({ length: 4 * 77 * dim }, (_, i) => Math.cos(i) * 0.5),
      contextDims: [4, 77, dim],
      p2p,
    }),
  );
  clearInterval(timer);
  const finite = out.noise.every(Number.isFinite);
  const mean = out.noise.reduce((a, b) => a + b, 0) / out.noise.length;
  const std = Math.sqrt(out.noise.reduce((a, b) => a + (b - mean) ** 2, 0) / out.noise.length);
  console.log(`UNet output: ${out.noise.length} values, ${finite ? 'all finite' : 'NOT FINITE'}, std ${std.toFixed(3)}; p2p_attn ${out.attn?.length ?? 0} values`);
  await model.dispose();
  console.log(`${dir}: UNet ${layout.precision}, ${result.report.layers.length} attention layers instrumented, latents ${h}x${w}`);
  console.log('| phase | time | peak JS heap | peak RSS (process) |\n| --- | --- | --- | --- |');
  console.log(rows.join('\n'));
}

await main(process.argv[2] ?? '/tmp/rsd-full');
