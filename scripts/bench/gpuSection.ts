// `npm run bench -- --gpu`: a random-weight SD 1.5-sized UNet (tools/toy-model bench_torch.py export-sd15,
// fp16) instrumented at load, stock vs identity vs edit calls at batch 4 (2 prompts × CFG), 512×512.

import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { instrumentUnet } from '../../src/onnx';
import type { GpuEp } from './gpuSession';
import { timeUnetVariants } from './unetVariants';

export interface GpuOptions {
  root: string;
  dir: string;
  eps: GpuEp[];
  fp32: boolean;
  /** The toy UNet instead of SD 1.5 (a quick dry run of this code path). */
  toy: boolean;
  latent: number;
  rounds: number;
  calls: number;
  /** Stop timing (keeping what was measured) when this many ms have passed since the start. */
  budgetMs: number;
  python: string;
  log: (line: string) => void;
}

export interface GpuResult {
  ep: string;
  epErrors: string[];
  params: number;
  dtype: string;
  latent: number;
  batch: number;
  exportMs: number;
  instrumentMs: number;
  sessionMs: { stock: number; instrumented: number };
  /** ms per call, one value per round. */
  stock: number[];
  identity: number[];
  edit: number[];
  editedLayers: string;
  stoppedEarly: boolean;
}

export async function runGpuSection(o: GpuOptions): Promise<GpuResult> {
  const t0 = performance.now();
  const unetDir = join(o.dir, 'unet');
  const stockPath = join(unetDir, 'model.onnx');
  const configPath = join(unetDir, 'config.json');
  const wanted = { toy: o.toy, dtype: o.fp32 ? 'float32' : 'float16', latent: o.latent };
  const cached = existsSync(configPath) ? (JSON.parse(readFileSync(configPath, 'utf8')) as { dtype?: string; sample_size?: number; toy?: boolean }) : null;
  if (!cached || cached.dtype !== wanted.dtype || cached.sample_size !== o.latent || (cached.toy === true) !== o.toy) {
    o.log(`exporting the ${o.toy ? 'toy' : 'SD 1.5-sized'} UNet (${wanted.dtype}) to ${unetDir} …`);
    const args = [join(o.root, 'tools/toy-model/bench_torch.py'), 'export-sd15', '--out', o.dir, '--latent', String(o.latent)];
    if (o.fp32) args.push('--fp32');
    if (o.toy) args.push('--toy');
    execFileSync(o.python, args, { stdio: ['ignore', 'inherit', 'inherit'] });
  }
  const exportMs = performance.now() - t0;
  const config = JSON.parse(readFileSync(configPath, 'utf8')) as { num_parameters: number; dtype: string; cross_attention_dim: number };

  let t = performance.now();
  const instrumented = instrumentUnet(new Uint8Array(readFileSync(stockPath)), { latentSize: [o.latent, o.latent] });
  const p2pPath = join(unetDir, 'model.p2p.onnx');
  writeFileSync(p2pPath, instrumented.model);
  if (instrumented.externalData) throw new Error('expected external weights (weights.pb): the export keeps weights out of the graph');
  const instrumentMs = performance.now() - t;
  const c = instrumented.report.counts;
  o.log(`instrumented in ${(instrumentMs / 1000).toFixed(1)} s: ${c.cross} cross + ${c.self} self layers, ${c.edited} edited`);

  const epErrors: string[] = [];
  for (const ep of o.eps) {
    try {
      const times = await timeUnetVariants(
        [
          { name: 'stock', path: stockPath, edit: false },
          { name: 'identity', path: p2pPath, edit: false },
          { name: 'edit', path: p2pPath, edit: true },
        ],
        { ep, latent: o.latent, width: config.cross_attention_dim, rounds: o.rounds, calls: o.calls, deadline: t0 + o.budgetMs, log: o.log },
      );
      return {
        ep, epErrors, params: config.num_parameters, dtype: config.dtype, latent: o.latent, batch: 4, exportMs, instrumentMs,
        sessionMs: { stock: times.sessionMs.stock, instrumented: times.sessionMs.identity },
        stock: times.ms.stock, identity: times.ms.identity, edit: times.ms.edit,
        editedLayers: `${c.cross} cross + ${c.self} self attention layers, ${c.edited} edited`, stoppedEarly: times.stoppedEarly,
      };
    } catch (err) {
      epErrors.push(`${ep}: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
      o.log(`execution provider ${ep} failed: ${epErrors[epErrors.length - 1]}`);
    }
  }
  throw new Error(`no execution provider worked: ${epErrors.join('; ')}`);
}
