// What the GPU pack's run measures (results.json), shared by the runner (scripts/gpu-pack/runner.ts) and the
// report (scripts/gpu-pack/packReport.ts).

import type { StageTimings } from '../../src/diffusion';
import type { Parity } from '../bench/outputParity';
import type { MhaProbeRow } from '../probe/mhaProbe';
import type { VariantTimes } from '../bench/unetVariants';

export interface AnchorRow {
  batch: number;
  sdpa: boolean;
  hook: boolean;
  ms_per_call: number;
  peak_gib: number;
  edit_s_51_calls: number;
}

export interface PackResults {
  startedAt: string;
  finishedAt?: string;
  durationS?: number;
  command: string;
  machine: { node: string; onnxruntime: string; cpus: string; cores: number; memoryGB: number; gpu?: string };
  settings: { scale: 'full' | 'mini'; steps: number; latent: number; eps: string[]; rounds: number; calls: number; budgetS: number };
  /** The execution provider that ran (the first of `settings.eps` whose session opened). */
  ep?: string;
  epErrors: string[];
  weights?: { ms: number; components: Record<string, { parameters: number; precision: string; dataBytes: number }> };
  instrument?: { ms: number; fusedMs: number; layers: string; fusedLayers: number };
  unet?: VariantTimes;
  parity?: { identity: Parity; edit: Parity };
  /** com.microsoft.MultiHeadAttention alone against a float64 reference, shape by shape (scripts/probe/mhaProbe.ts). */
  mha?: MhaProbeRow[];
  pipelines?: {
    loadMs: { instrumented: number; stock: number };
    /** P2P edit: source + 1 word swap (replace, cross 0.8, self 0.4), instrumented UNet. */
    edit: StageTimings[];
    /** The same 2-prompt batch without controller, instrumented UNet with identity parameters. */
    plain: StageTimings[];
    /** The same batch on the stock UNet: what a generator without P2P runs. */
    plainStock: StageTimings[];
    stoppedEarly: boolean;
  };
  anchor?: { device: string; torch: string; results: AnchorRow[] };
  /** Parts that failed, with the first line of their error. */
  errors: Record<string, string>;
}
