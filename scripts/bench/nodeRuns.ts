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
   * Sum of the totals of two single-prompt generations (source, then edit prompt) on the stock UNet: what a
   * generator without Prompt-to-Prompt runs (and in early versions the instrumented graph refused E = 0).
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

type Sample = { total: number; timings?: StageTimings };

/** The sample with the median total (the lower middle one for an even count). */
function medianSample(v: Sample[]): Sample {
  return [...v].sort((a, b) => a.total - b.total)[Math.floor((v.length - 1) / 2)];
}

/**
 * `rounds` rounds; in each, every onnxruntime variant runs `reps` times (order rotated per repetition) and
 * keeps its median run, then every external timer runs once. Variants are thus compared under the same load.
 */
export async function benchRuns(
  stock: NodeModel,
  instrumented: NodeModel,
  requests: RunRequests,
  opts: { rounds: number; reps: number; warmup: number; external: Record<string, ExternalTimer>; log: (line: string) => void },
): Promise<RunSamples> {
  const { edit, blend } = requests;
  const plainReq: GenerateRequest = { ...edit, edit: undefined };
  const timed = async (model: NodeModel, req: GenerateRequest): Promise<Sample> => {
    const { timings } = await generate(model, req);
    return { total: timings.total, timings };
  };
  const variants = {
    edit: () => timed(instrumented, edit),
    plain: () => timed(instrumented, plainReq),
    plainStock: () => timed(stock, plainReq),
    singles: async (): Promise<Sample> => {
      let total = 0;
      for (const p of edit.prompts) total += (await generate(stock, { ...plainReq, prompts: [p] })).timings.total;
      return { total };
    },
    blend: () => timed(instrumented, blend),
  };
  type Name = keyof typeof variants;
  const names = Object.keys(variants) as Name[];
  const externals = Object.entries(opts.external);
  const out: RunSamples = { edit: [], plain: [], plainStock: [], singles: [], blend: [], external: {} };
  for (const [name] of externals) out.external[name] = [];
  for (let i = 0; i < opts.warmup; i++) {
    for (const name of names) await variants[name]();
    for (const [, timer] of externals) await timer();
  }
  for (let r = 0; r < opts.rounds; r++) {
    const round: Record<Name, Sample[]> = { edit: [], plain: [], plainStock: [], singles: [], blend: [] };
    for (let rep = 0; rep < opts.reps; rep++) for (const name of rotate(names, r + rep)) round[name].push(await variants[name]());
    for (const name of ['edit', 'plain', 'plainStock', 'blend'] as const) out[name].push(medianSample(round[name]).timings!);
    out.singles.push(medianSample(round.singles).total);
    for (const [name, timer] of rotate(externals, r)) out.external[name].push(await timer());
    if ((r + 1) % 3 === 0 || r + 1 === opts.rounds) opts.log(`  generation rounds ${r + 1}/${opts.rounds}`);
  }
  return out;
}
