// Times one UNet call of a backend on a typical workload (source + one edit with guidance: batch 4,
// identity Prompt-to-Prompt inputs), for the Automatic backend choice's measurement. Pure: the clock
// is passed in; inputs are deterministic and made once per backend.

import { identityP2P, type Backend, type UnetInputs } from './backend';

const CONTEXT_LENGTH = 77;
/** Source + one edit, conditional and unconditional halves: what the default recipe runs. */
export const TIMING_PROMPTS = 2;

/** Deterministic values in [-1, 1) (an LCG: the values only need to be ordinary numbers). */
export function filled(count: number, seed: number): Float32Array {
  let state = seed >>> 0;
  return Float32Array.from({ length: count }, () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 31 - 1;
  });
}

/** The UNet inputs of one mid-run call; the text encoder (token 0 everywhere, valid in any vocabulary) gives the context. */
export async function timingInputs(backend: Backend): Promise<UnetInputs> {
  const caps = backend.capabilities;
  if (!caps.latentSize) throw new Error('the UNet has no known latent size, so one call cannot be timed');
  const [h, w] = caps.latentSize;
  const batch = TIMING_PROMPTS * 2;
  const context = await backend.encodeText(new Int32Array(batch * CONTEXT_LENGTH), batch);
  const D = context.length / (batch * CONTEXT_LENGTH);
  if (!Number.isInteger(D) || D < 1) throw new Error(`text encoder returned ${context.length} values for ${batch} prompts`);
  return {
    sample: filled(batch * caps.latentChannels * h * w, 7),
    sampleDims: [batch, caps.latentChannels, h, w],
    timestep: 500,
    context,
    contextDims: [batch, CONTEXT_LENGTH, D],
    p2p: caps.instrumented ? identityP2P(TIMING_PROMPTS - 1, CONTEXT_LENGTH) : undefined,
  };
}

/** A function that runs one UNet call on `backend` and returns its wall time in ms (inputs made on first use). */
export function unetCallTimer(backend: Backend, now: () => number): () => Promise<number> {
  let inputs: Promise<UnetInputs> | undefined;
  return async () => {
    inputs ??= timingInputs(backend);
    const input = await inputs;
    const start = now();
    const out = await backend.unet(input);
    const ms = now() - start;
    if (out.noise.length !== input.sample.length) throw new Error(`UNet returned ${out.noise.length} values for a sample of ${input.sample.length}`);
    return ms;
  };
}
