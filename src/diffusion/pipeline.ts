// The generation loop of Prompt-to-Prompt (Hertz et al. 2022), faithful to the reference
// `ptp_utils.text2image_ldm_stable` + `diffusion_step` + `latent2image`, over a runtime-neutral Backend.
//
// Code → reference: `prompts` prompt, `uncondCtx`/`condCtx` uncond_embeddings/text_embeddings (uncond_embeddings
// encode `negativePrompt`, "" by default, as diffusers' `negative_prompt`), `latents` x_t `[P, C, h, w]`,
// `plan.call(k)` the controller at UNet call k, `blend` LocalBlend.

import { localBlend } from '../p2p';
import { identityP2P, type P2PInputs, type ResidentLoop } from './backend';
import { guidance } from './guidance';
import { prepareRun } from './pipelineInputs';
import { accumulate, concatBatch, divideInput, mapSide, repeatBatch, scaled, splitHalves, toRgba } from './pipelineTensors';
import {
  AbortError,
  PipelineError,
  type GenerateOptions,
  type GenerateRequest,
  type GenerateResult,
  type PipelineModel,
} from './pipelineTypes';
import { torchRandn } from './randn';
import { createScheduler } from './scheduler';

const CONTEXT_LENGTH = 77;

function defaultClock(): () => number {
  const perf = (globalThis as { performance?: { now(): number } }).performance;
  return perf ? () => perf.now() : () => Date.now();
}

/** Runs one generation: source + edited prompts (P2P), the no-controller baseline, or one plain prompt. */
export async function generate(model: PipelineModel, req: GenerateRequest, opts: GenerateOptions = {}): Promise<GenerateResult> {
  const { backend, tokenizer } = model;
  const now = opts.now ?? defaultClock();
  const t0 = now();
  const checkAbort = (): void => {
    if (opts.signal?.aborted) throw opts.signal.reason instanceof Error ? opts.signal.reason : new AbortError();
  };
  if (!(model.scalingFactor > 0)) throw new PipelineError('bad-input', `VAE scaling factor must be positive, got ${model.scalingFactor}`);

  // 1. Check inputs; build the controller's plan (tokenizes the prompts for word positions).
  const run = prepareRun(req, backend.capabilities, tokenizer, model.schedulerConfig);
  const { prompts, plan, blend } = run;
  const P = prompts.length;
  const [, C, h, w] = run.latentDims;

  // 2. Tokenize: the unconditional row (the negative prompt, `[""]` without one; one row, repeated ×P below:
  //    the encoder is deterministic), then the prompts.
  const warnings: string[] = [];
  const tokenIds = new Int32Array((P + 1) * CONTEXT_LENGTH);
  const negative = tokenizer.fit(run.negativePrompt, CONTEXT_LENGTH);
  tokenIds.set(negative.ids, 0);
  if (negative.dropped > 0) warnings.push(`the negative prompt is too long: its last ${negative.dropped} token(s) were dropped (77-token limit)`);
  const dropped = prompts.map((p, i) => {
    const fitted = tokenizer.fit(p, CONTEXT_LENGTH);
    tokenIds.set(fitted.ids, (i + 1) * CONTEXT_LENGTH);
    if (fitted.dropped > 0) warnings.push(`prompt ${i} is too long: its last ${fitted.dropped} token(s) were dropped (77-token limit)`);
    return fitted.dropped;
  });
  const t1 = now();

  // 3. Encode text: context = [uncond × P, cond P0 … PE] (uncond = the negative prompt's row).
  checkAbort();
  const embeddings = await backend.encodeText(tokenIds, P + 1);
  const rowSize = embeddings.length / (P + 1);
  if (!Number.isInteger(rowSize) || rowSize % CONTEXT_LENGTH !== 0) {
    throw new PipelineError('backend', `text encoder returned ${embeddings.length} values for ${P + 1} prompts`);
  }
  const D = rowSize / CONTEXT_LENGTH;
  const uncondCtx = repeatBatch(embeddings.subarray(0, rowSize), P);
  const condCtx = embeddings.slice(rowSize);
  const fullCtx = concatBatch([uncondCtx, condCtx]);
  const t2 = now();

  // 4. Timesteps from the model's scheduler config.
  const scheduler = createScheduler(run.scheduler, model.schedulerConfig);
  scheduler.setTimesteps(req.steps);
  const timesteps = [...scheduler.timesteps];
  if (plan && timesteps.length > plan.calls) {
    throw new PipelineError('bad-input', `the ${run.scheduler} scheduler makes ${timesteps.length} calls, the edit plan covers ${plan.calls}`);
  }

  // 5. One latent from torch.randn(seed), expanded to every prompt, times initNoiseSigma.
  const initialLatent = req.initialLatent ? req.initialLatent.slice() : torchRandn(req.seed, [1, C, h, w]);
  let latents = repeatBatch(scaled(initialLatent, scheduler.initNoiseSigma), P);

  // 6. Denoising loop: one UNet call per timestep (two in low-memory mode). Where the backend offers
  //    it (WebGPU), the latents stay on the device and each step is sent as a linear plan.
  const identity: P2PInputs | undefined = run.feedP2P ? identityP2P(P - 1, CONTEXT_LENGTH) : undefined;
  const callsPerStep = req.lowMemory ? 2 : 1;
  const total = timesteps.length * callsPerStep;
  let callsDone = 0;
  let unetMs = 0;
  let attn: Float32Array | null = null;
  let mapRes = backend.capabilities.mapResolution;
  const started = (): number => {
    checkAbort();
    return now();
  };
  const finished = (start: number): void => {
    unetMs += now() - start;
    callsDone += 1;
    opts.onProgress?.({ call: callsDone, total, elapsed: now() - t0 });
  };
  const unet = async (sample: Float32Array, context: Float32Array, t: number, p2p: P2PInputs | undefined) => {
    const start = started();
    const out = await backend.unet({
      sample,
      sampleDims: [sample.length / (C * h * w), C, h, w],
      timestep: t,
      context,
      contextDims: [context.length / rowSize, CONTEXT_LENGTH, D],
      p2p,
    });
    if (out.noise.length !== sample.length) {
      throw new PipelineError('backend', `UNet returned ${out.noise.length} values for a sample of ${sample.length}`);
    }
    finished(start);
    return out;
  };
  const addAttention = (stepAttn: Float32Array | undefined): void => {
    if (!stepAttn) return;
    attn = accumulate(attn, stepAttn);
    mapRes ??= mapSide(stepAttn.length, P, CONTEXT_LENGTH);
  };
  const blendInputs = (hasAttention: boolean) => {
    if (!blend) return undefined;
    if (!hasAttention || mapRes === null) throw new PipelineError('backend', 'LocalBlend needs p2p_attn, and the UNet returned none');
    return { mapRes, alphas: blend.alphas, threshold: blend.threshold };
  };

  const resident: ResidentLoop | null = (await backend.residentLoop?.(latents, run.latentDims)) ?? null;
  try {
    for (let k = 0; k < timesteps.length; k++) {
      const t = timesteps[k];
      const params = plan ? toInputs(plan.call(k), plan.edits) : identity;
      if (resident) {
        const inputDivisor = scheduler.modelInputDivisor(t);
        let start = started();
        let out: { attnPixels?: number };
        if (req.lowMemory) {
          const halfDims: [number, number, number] = [P, CONTEXT_LENGTH, D];
          await resident.unet({ timestep: t, context: uncondCtx, contextDims: halfDims, p2p: identity, inputDivisor, half: 'uncond' });
          finished(start);
          start = started();
          out = await resident.unet({ timestep: t, context: condCtx, contextDims: halfDims, p2p: params, inputDivisor, half: 'cond' });
        } else {
          out = await resident.unet({ timestep: t, context: fullCtx, contextDims: [2 * P, CONTEXT_LENGTH, D], p2p: params, inputDivisor });
        }
        finished(start);
        if (out.attnPixels !== undefined) mapRes ??= mapSide(out.attnPixels * P * CONTEXT_LENGTH, P, CONTEXT_LENGTH);
        await resident.update(scheduler.linearPlan(t), req.guidance, blendInputs(out.attnPixels !== undefined));
        // Nothing is read back unless the caller asks (a preview or a heatmap is due).
        await opts.onStep?.(k, { latents: () => resident.read(), attention: () => resident.attention() });
        continue;
      }
      const input = divideInput(latents, scheduler.modelInputDivisor(t));
      let uncond: Float32Array;
      let cond: Float32Array;
      if (req.lowMemory) {
        uncond = (await unet(input, uncondCtx, t, identity)).noise;
        const out = await unet(input, condCtx, t, params);
        cond = out.noise;
        addAttention(out.attn);
      } else {
        const out = await unet(concatBatch([input, input]), fullCtx, t, params);
        [uncond, cond] = splitHalves(out.noise);
        addAttention(out.attn);
      }
      const eps = guidance(uncond, cond, req.guidance);
      latents = scheduler.step(eps, t, latents);
      const b = blendInputs(attn !== null);
      if (b && attn) latents = localBlend(latents, run.latentDims, attn, b.mapRes, b.alphas, b.threshold);
      const current = latents;
      const sum = attn;
      await opts.onStep?.(k, { latents: async () => current, attention: async () => sum });
    }
    if (resident) {
      latents = await resident.read();
      attn = await resident.attention();
    }
  } finally {
    resident?.dispose();
  }
  const t3 = now();

  // 7. Decode: latents / scaling_factor → VAE → RGBA.
  checkAbort();
  const decoded = await backend.decode(scaled(latents, 1 / model.scalingFactor), run.latentDims);
  const images = toRgba(decoded.data, decoded.dims);
  const t4 = now();

  return {
    images,
    width: decoded.dims[3],
    height: decoded.dims[2],
    latents,
    latentDims: run.latentDims,
    initialLatent,
    tokenIds: tokenIds.slice(CONTEXT_LENGTH),
    dropped,
    textEmbeddings: condCtx,
    uncond: { tokenIds: tokenIds.slice(0, CONTEXT_LENGTH), embedding: embeddings.slice(0, rowSize), dropped: negative.dropped },
    timesteps,
    attention: attn && mapRes !== null ? { maps: attn, resolution: mapRes, calls: timesteps.length } : undefined,
    warnings,
    latentsOnDevice: resident !== null,
    timings: {
      tokenizer: t1 - t0,
      textEncoder: t2 - t1,
      unetLoop: t3 - t2,
      unetCalls: unetMs,
      perStepOverhead: (t3 - t2 - unetMs) / timesteps.length,
      vae: t4 - t3,
      total: t4 - t0,
    },
  };
}

function toInputs(params: { map: Float32Array; gain: Float32Array; keep: Float32Array; selfReplace: boolean }, edits: number): P2PInputs {
  return { map: params.map, gain: params.gain, keep: params.keep, self: params.selfReplace, edits };
}
