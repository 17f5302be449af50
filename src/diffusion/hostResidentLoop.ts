// The resident loop's CPU twin: the same contract as a device loop (src/runtime/webgpu), with the
// latents and the attention sum in host memory — the UNet through `Backend.unet`, then `accumulate`, `guidance`,
// `applyLinearStep` and `localBlend`. Tests run the pipeline through it to check the resident branch against the plain one.

import { localBlend } from '../p2p';
import type { Backend, ResidentBlend, ResidentLoop, ResidentUnetCall } from './backend';
import { guidance } from './guidance';
import { applyLinearStep, type LinearStepPlan } from './linearStep';
import { accumulate, concatBatch, divideInput, splitHalves } from './pipelineTensors';

export function hostResidentLoop(backend: Backend, initial: Float32Array, dims: [number, number, number, number]): ResidentLoop {
  let latents: Float32Array = initial.slice();
  let noise: Float32Array | null = null;
  /** Low-memory mode: the halves of `[uncond; cond]` as their calls arrive. */
  const halves: { uncond?: Float32Array; cond?: Float32Array } = {};
  let attn: Float32Array | null = null;
  const slots = new Map<number, Float32Array>();
  return {
    async unet(call: ResidentUnetCall) {
      const [P, C, h, w] = dims;
      const input = divideInput(latents, call.inputDivisor ?? 1);
      const sample = call.half ? input : concatBatch([input, input]);
      const out = await backend.unet({ ...call, sample, sampleDims: [call.half ? P : 2 * P, C, h, w] });
      if (call.half) {
        halves[call.half] = out.noise;
        noise = halves.uncond && halves.cond ? concatBatch([halves.uncond, halves.cond]) : null;
      } else {
        noise = out.noise;
      }
      if (!out.attn || call.half === 'uncond') return {};
      attn = accumulate(attn, out.attn);
      return { attnPixels: out.attn.length / (P * call.contextDims[1]) };
    },
    async update(plan: LinearStepPlan, scale: number, blend?: ResidentBlend) {
      if (!noise) throw new Error('resident loop: update before unet');
      const [uncond, cond] = splitHalves(noise);
      latents = applyLinearStep(plan, latents, guidance(uncond, cond, scale), slots);
      if (blend) {
        if (!attn) throw new Error('resident loop: LocalBlend before any p2p_attn');
        latents = localBlend(latents, dims, attn, blend.mapRes, blend.alphas, blend.threshold);
      }
      noise = null;
      delete halves.uncond;
      delete halves.cond;
    },
    async read() {
      return latents.slice();
    },
    async attention() {
      return attn && attn.slice();
    },
    dispose() {
      slots.clear();
    },
  };
}
