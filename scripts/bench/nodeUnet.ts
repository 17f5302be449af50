// UNet call timing on onnxruntime-node: stock export vs instrumented with identity parameters vs
// instrumented with a real edit (call 2 of a swap: cross and self replace on), same batch, interleaved.

import { identityP2P, prepareRun, torchRandn, type GenerateRequest, type P2PInputs, type UnetInputs } from '../../src/diffusion';
import type { NodeModel } from '../../src/runtime/nodeModel';
import { rotate } from './stats';

export interface UnetCallSamples {
  /** Milliseconds per call, one value per round (mean of `calls` calls). */
  stock: number[];
  identity: number[];
  edit: number[];
  batch: number;
  callsPerRound: number;
}

const CONTEXT = 77;

/** The UNet inputs of one CFG call for `request` (2 prompts → batch 4) and its edit parameters at `call`. */
export async function unetInputsFor(model: NodeModel, request: GenerateRequest, call: number): Promise<{ inputs: UnetInputs; edit: P2PInputs; identity: P2PInputs; plan: (k: number) => P2PInputs; calls: number }> {
  const caps = model.backend.capabilities;
  const run = prepareRun(request, caps, model.tokenizer);
  const P = run.prompts.length;
  const ids = new Int32Array(2 * P * CONTEXT);
  for (let i = 0; i < P; i++) {
    ids.set(model.tokenizer.fit('', CONTEXT).ids, i * CONTEXT);
    ids.set(model.tokenizer.fit(run.prompts[i], CONTEXT).ids, (P + i) * CONTEXT);
  }
  const context = await model.backend.encodeText(ids, 2 * P);
  const [, C, h, w] = run.latentDims;
  const sample = torchRandn(request.seed, [2 * P, C, h, w]);
  const D = context.length / (2 * P * CONTEXT);
  const plan = run.plan!;
  const toInputs = (k: number): P2PInputs => {
    const params = plan.call(k);
    return { map: params.map, gain: params.gain, keep: params.keep, self: params.selfReplace, edits: P - 1 };
  };
  const edit = toInputs(call);
  return {
    inputs: { sample, sampleDims: [2 * P, C, h, w], timestep: 901, context, contextDims: [2 * P, CONTEXT, D] },
    edit,
    identity: identityP2P(P - 1, CONTEXT),
    plan: toInputs,
    calls: plan.calls,
  };
}

/** Median of a small sample. */
function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

const BLOCK = 5;

/**
 * `rounds` rounds; in each, the variants take turns in blocks of BLOCK calls (order rotated per turn) until
 * each made `calls` calls. The first call of a block (cache refill after another session ran) is dropped;
 * a round's value per variant is the median of its other calls, so load spikes and cache bias drop out.
 */
export async function benchUnetCalls(
  stock: NodeModel,
  instrumented: NodeModel,
  request: GenerateRequest,
  opts: { rounds: number; calls: number; warmup: number; log: (line: string) => void },
): Promise<UnetCallSamples> {
  const { inputs, identity, plan, calls } = await unetInputsFor(instrumented, request, 2);
  // The edit replays the plan's parameters call after call (fresh tensors each call, as in a run).
  let k = 0;
  const variants = {
    stock: () => stock.backend.unet(inputs),
    identity: () => instrumented.backend.unet({ ...inputs, p2p: identity }),
    edit: () => instrumented.backend.unet({ ...inputs, p2p: plan(k++ % calls) }),
  };
  type Name = keyof typeof variants;
  const names = Object.keys(variants) as Name[];
  for (const name of names) for (let i = 0; i < opts.warmup; i++) await variants[name]();
  const out: UnetCallSamples = { stock: [], identity: [], edit: [], batch: inputs.sampleDims[0], callsPerRound: opts.calls };
  for (let r = 0; r < opts.rounds; r++) {
    const times: Record<Name, number[]> = { stock: [], identity: [], edit: [] };
    for (let turn = 0; turn * BLOCK < opts.calls; turn++) {
      for (const name of rotate(names, r + turn)) {
        for (let i = 0; i < BLOCK; i++) {
          const t0 = performance.now();
          await variants[name]();
          if (i > 0) times[name].push(performance.now() - t0);
        }
      }
    }
    for (const name of names) out[name].push(median(times[name]));
    if ((r + 1) % 5 === 0 || r + 1 === opts.rounds) opts.log(`  unet rounds ${r + 1}/${opts.rounds}`);
  }
  return out;
}
