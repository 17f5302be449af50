// DDIM inversion (forward passes only): from a picture's latent x₀ to the x_T that deterministic DDIM sampling,
// with the same prompt and steps, maps back to it (Song et al. 2021; the starting point of Mokady et al. 2023's
// null-text inversion). The UNet sees only the source prompt (no guidance), as in those papers. Editing then
// starts from x_T with the DDIM scheduler; with the source prompt as the negative prompt (Miyake et al. 2023,
// "negative-prompt inversion") the source branch's guidance cancels and it retraces the inversion, while edits
// are guided away from the source. Null-text optimisation needs gradients and is not done here.

import { identityP2P } from './backend';
import { DdimScheduler } from './ddim';
import { generate } from './pipeline';
import { prepareRun } from './pipelineInputs';
import { AbortError, PipelineError, type GenerateOptions, type GenerateRequest, type GenerateResult, type PipelineModel } from './pipelineTypes';

const CONTEXT_LENGTH = 77;

export interface InvertRequest {
  /** The source prompt: what the picture shows. */
  prompt: string;
  /** The picture `[1, 3, H, W]` in [-1, 1] at the model's image size (see `imageToSample`). */
  pixels: Float32Array;
  pixelDims: [number, number, number, number];
  /** DDIM steps; the edit must use the same number. */
  steps: number;
}

export interface InvertResult {
  /** x_T `[1, C, h, w]`: the edit's `initialLatent`. */
  latent: Float32Array;
  /** x₀: the picture's latent, multiplied by the scaling factor. */
  encoded: Float32Array;
  latentDims: [number, number, number, number];
  /** The DDIM timesteps, in sampling order. */
  timesteps: number[];
}

export async function invertImage(model: PipelineModel, req: InvertRequest, opts: Pick<GenerateOptions, 'signal' | 'onProgress' | 'now'> = {}): Promise<InvertResult> {
  const { backend, tokenizer } = model;
  const now = opts.now ?? (() => Date.now());
  const started = now();
  const checkAbort = (): void => {
    if (opts.signal?.aborted) throw opts.signal.reason instanceof Error ? opts.signal.reason : new AbortError();
  };
  if (!backend.encode) throw new PipelineError('bad-input', 'this model has no VAE encoder (vae_encoder/model.onnx), so it cannot take a picture');
  if (!Number.isInteger(req.steps) || req.steps < 1 || req.steps > 1000) throw new PipelineError('bad-input', `inversion steps must be an integer in 1 … 1000, got ${req.steps}`);
  if (req.prompt.trim() === '') throw new PipelineError('bad-input', 'the source prompt is empty: inversion needs what the picture shows');

  const encoded = await backend.encode(req.pixels, req.pixelDims);
  const caps = backend.capabilities;
  const size = caps.latentSize;
  if (encoded.dims[1] !== caps.latentChannels || (size && (encoded.dims[2] !== size[0] || encoded.dims[3] !== size[1]))) {
    throw new PipelineError('bad-input', `the VAE encoder gave a [${encoded.dims.slice(1).join(', ')}] latent; the UNet takes [${caps.latentChannels}, ${size?.join(', ') ?? '?'}]`);
  }
  const x0 = encoded.data.map((v) => v * model.scalingFactor);
  const latentDims: [number, number, number, number] = [1, encoded.dims[1], encoded.dims[2], encoded.dims[3]];
  checkAbort();
  const ids = Int32Array.from(tokenizer.fit(req.prompt, CONTEXT_LENGTH).ids);
  const context = await backend.encodeText(ids, 1);
  const D = context.length / CONTEXT_LENGTH;

  const scheduler = new DdimScheduler(model.schedulerConfig);
  scheduler.setTimesteps(req.steps);
  const timesteps = [...scheduler.timesteps];
  const p2p = backend.capabilities.instrumented ? identityP2P(0) : undefined;
  let x: Float32Array = x0;
  for (const [k, t] of [...timesteps].reverse().entries()) {
    checkAbort();
    const { noise } = await backend.unet({ sample: x, sampleDims: latentDims, timestep: t, context, contextDims: [1, CONTEXT_LENGTH, D], ...(p2p ? { p2p } : {}) });
    x = scheduler.inverseStep(noise, t, x);
    opts.onProgress?.({ call: k + 1, total: timesteps.length, elapsed: now() - started });
  }
  return { latent: x, encoded: x0, latentDims, timesteps };
}

/** How a picture is inverted for editing: plain DDIM, or negative-prompt inversion (the default). */
export type InversionMethod = 'negative-prompt' | 'ddim';

export interface PictureInput {
  pixels: Float32Array;
  pixelDims: [number, number, number, number];
  method: InversionMethod;
}

/**
 * The request that edits an inverted picture: DDIM at the inversion's steps from its x_T, and with
 * negative-prompt inversion the source prompt as the negative prompt. Prompt 0's image is the reconstruction.
 */
/** Refuses, before any inversion work, a request the picture's edit cannot run. */
export function checkPictureRequest(req: GenerateRequest, method: InversionMethod): void {
  if (req.negativePrompt && method === 'negative-prompt' && req.negativePrompt !== req.prompts[0]) {
    throw new PipelineError('bad-input', 'negative-prompt inversion uses the source prompt as the negative prompt; another negative prompt needs plain DDIM inversion');
  }
}

export function pictureRequest(req: GenerateRequest, inverted: InvertResult, method: InversionMethod): GenerateRequest {
  checkPictureRequest(req, method);
  return {
    ...req,
    scheduler: 'ddim',
    steps: inverted.timesteps.length,
    initialLatent: inverted.latent,
    latentSize: [inverted.latentDims[2], inverted.latentDims[3]],
    ...(method === 'negative-prompt' ? { negativePrompt: req.prompts[0] } : {}),
  };
}

/** Inverts the picture with the source prompt, then runs the request (an edit, or a plain reconstruction) from it. */
export async function editPicture(model: PipelineModel, req: GenerateRequest, picture: PictureInput, opts: GenerateOptions = {}): Promise<{ inverted: InvertResult; result: GenerateResult; request: GenerateRequest }> {
  checkPictureRequest(req, picture.method);
  prepareRun({ ...req, scheduler: 'ddim' }, model.backend.capabilities, model.tokenizer); // the edit's own checks, before inverting
  const inverted = await invertImage(model, { prompt: req.prompts[0] ?? '', pixels: picture.pixels, pixelDims: picture.pixelDims, steps: req.steps }, opts);
  const request = pictureRequest(req, inverted, picture.method);
  return { inverted, result: await generate(model, request, opts), request };
}
