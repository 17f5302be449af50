// Full-generation timing on onnxruntime-node: P2P edit vs the same batch without controller (on the
// instrumented and on the stock UNet) vs two single-prompt runs, + LocalBlend, and other timers, interleaved.

import { generate, type GenerateRequest, type StageTimings } from '../../src/diffusion';
import type { NodeModel } from '../../src/runtime/nodeModel';
import { rotate } from './stats';

/** Something else timed in the same rounds (e.g. the PyTorch run in its own process): returns ms. */
export type ExternalTimer = () => Promise<number>;

export interface RunSamples {
  /** Stage timings of each P2P edit run (source + 1 edit). */
  edit: StageTimings[];
  /** The same 2-prompt batch, no controller, instrumented UNet fed identity parameters. */
  plain: StageTimings[];
  /** The same 2-prompt batch, no controller, stock UNet (what an app without P2P runs). */
  plainStock: StageTimings[];
  /**
   * Sum of the totals of two single-prompt generations (source, then edit prompt), on the stock UNet:
   * the instrumented graph fails with a single prompt (E = 0: `/p2p/Reshape_22` cannot reshape [0, 77]).
   */
  singles: number[];
  /** The edit with LocalBlend on the swapped words. */
  blend: StageTimings[];
  /** Milliseconds per round of each external timer. */
  external: Record<string, number[]>;
}

export interface RunRequests {
  edit: GenerateRequest;
  blend: GenerateRequest;
}

export function runRequests(prompts: [string, string], words: [string, string], steps: number): RunRequests {
  const edit: GenerateRequest = {
    prompts,
    edit: { kind: 'replace', crossReplaceSteps: 0.8, selfReplaceSteps: 0.4 },
    seed: 8888,
    steps,
    guidance: 7.5,
  };
  const blend: GenerateRequest = { ...edit, edit: { ...edit.edit!, localBlend: { words: [[words[0]], [words[1]]], threshold: 0.3 } } };
  return { edit, blend };
}

export async function benchRuns(
  stock: NodeModel,
  instrumented: NodeModel,
  requests: RunRequests,
  opts: { rounds: number; warmup: number; external: Record<string, ExternalTimer>; log: (line: string) => void },
): Promise<RunSamples> {
  const { edit, blend } = requests;
  const plainReq: GenerateRequest = { ...edit, edit: undefined };
  const out: RunSamples = { edit: [], plain: [], plainStock: [], singles: [], blend: [], external: {} };
  for (const name of Object.keys(opts.external)) out.external[name] = [];
  const variants: Record<string, () => Promise<void>> = {
    edit: async () => void out.edit.push((await generate(instrumented, edit)).timings),
    plain: async () => void out.plain.push((await generate(instrumented, plainReq)).timings),
    plainStock: async () => void out.plainStock.push((await generate(stock, plainReq)).timings),
    singles: async () => {
      let total = 0;
      for (const p of edit.prompts) total += (await generate(stock, { ...plainReq, prompts: [p] })).timings.total;
      out.singles.push(total);
    },
    blend: async () => void out.blend.push((await generate(instrumented, blend)).timings),
  };
  for (const [name, timer] of Object.entries(opts.external)) variants[`ext:${name}`] = async () => void out.external[name].push(await timer());
  const names = Object.keys(variants);
  for (let i = 0; i < opts.warmup; i++) for (const name of names) await variants[name]();
  // Warm-up samples are dropped.
  for (const key of ['edit', 'plain', 'plainStock', 'singles', 'blend'] as const) out[key].length = 0;
  for (const name of Object.keys(out.external)) out.external[name].length = 0;
  for (let r = 0; r < opts.rounds; r++) {
    for (const name of rotate(names, r)) await variants[name]();
    if ((r + 1) % 3 === 0 || r + 1 === opts.rounds) opts.log(`  generation rounds ${r + 1}/${opts.rounds}`);
  }
  return out;
}
