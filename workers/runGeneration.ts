// One generate job of the engine: the pipeline run — from an inverted picture when one is given — (and the
// optional no-controller baseline after it),
// streamed as progress, throttled attention, preview, image and done events of the protocol.

import { AbortError, checkPictureRequest, generate, imageToSample, invertImage, PipelineError, pictureRequest, prepareRun, type GenerateRequest, type GenerateResult, type PipelineModel } from '../src/diffusion';
import { tokenHeatmaps } from '../src/p2p';
import { splitMaps, tokenLabels } from './attentionMaps';

const CONTEXT_LENGTH = 77;
import type { LatentPreview } from './latentPreview';
import { gpuReadCount } from './gpuReadCounter';
import type { EngineEvent, EngineGenerateRequest, PictureRequest, RunPhase, StepGpuReads } from './protocol';

export interface RunContext {
  id: number;
  model: PipelineModel;
  preview: LatentPreview;
  signal: AbortSignal;
  post: (event: EngineEvent) => void;
  now: () => number;
  /** Minimum milliseconds between two attention updates. */
  attentionIntervalMs: number;
  /** The model's decoded image `[height, width]` (a picture is resized to it), when known. */
  imageSize?: [number, number] | null;
}

function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw signal.reason instanceof Error ? signal.reason : new AbortError();
}

function imageLabel(phase: RunPhase, edited: boolean, prompt: number): string {
  if (phase === 'baseline') return `baseline ${prompt}`;
  if (!edited) return `prompt ${prompt}`;
  return prompt === 0 ? 'source' : `edit ${prompt}`;
}

interface Cadence {
  previewEvery: number;
  /** Steps between attention updates; undefined: time-throttled (`RunContext.attentionIntervalMs`). */
  attentionEvery?: number;
  /** Filled with the per-step GPU reads when the counter is installed (e2e builds). */
  reads?: StepGpuReads[];
}

/** Runs one phase; posts its events; returns the pipeline's result. */
async function runPhase(ctx: RunContext, phase: RunPhase, request: GenerateRequest, cadence: Cadence): Promise<GenerateResult> {
  const { previewEvery, attentionEvery } = cadence;
  const { id, post, now } = ctx;
  const prompts = request.prompts.length;
  const caps = ctx.model.backend.capabilities;
  let labels: string[][] | null = null;
  const labelsOf = (p: number): string[] => (labels ??= request.prompts.map((text) => tokenLabels(ctx.model.tokenizer, text)))[p];
  let lastCall = 0;
  let lastAttention = Number.NEGATIVE_INFINITY;
  let readMark = gpuReadCount() ?? 0;

  const postAttention = async (all: Float32Array | null, call: number): Promise<void> => {
    if (!all) return;
    const split = request.prompts.map((_, p) => splitMaps(all, p, prompts));
    if (split.some((x) => !x)) return;
    const parts = split as NonNullable<(typeof split)[number]>[];
    const res = parts[0].resolution;
    const count = Math.max(...request.prompts.map((_, p) => labelsOf(p).length));
    const backend = ctx.model.backend;
    const tiles = backend.heatmapTiles
      ? await backend.heatmapTiles(all, prompts, res, count)
      : parts.map((part, p) => tokenHeatmaps(part.maps, res, CONTEXT_LENGTH, labelsOf(p).length));
    parts.forEach(({ maps }, p) => {
      const tokens = labelsOf(p);
      post({ type: 'attention', id, phase, prompt: p, call, resolution: res, tokens, maps, tiles: tiles[p].slice(0, tokens.length) });
    });
  };

  const result = await generate(ctx.model, request, {
    signal: ctx.signal,
    now,
    onProgress: (e) => {
      lastCall = e.call;
      post({ type: 'progress', id, phase, call: e.call, total: e.total, elapsed: e.elapsed });
    },
    onStep: async (step, state) => {
      const entry = gpuReadCount();
      const preview = previewEvery > 0 && (step + 1) % previewEvery === 0;
      const t = now();
      const attention = attentionEvery ? (step + 1) % attentionEvery === 0 : t - lastAttention >= ctx.attentionIntervalMs;
      if (preview) {
        const latents = await state.latents();
        const plane = latents.length / (prompts * caps.latentChannels);
        const [h, w] = request.latentSize ?? caps.latentSize ?? [Math.sqrt(plane), Math.sqrt(plane)];
        for (let p = 0; p < prompts; p++) {
          const rgba = ctx.preview.rgba(latents, [prompts, caps.latentChannels, h, w], p);
          post({ type: 'preview', id, phase, prompt: p, step, width: w, height: h, rgba });
        }
      }
      if (attention) {
        lastAttention = t;
        await postAttention(await state.attention(), lastCall);
      }
      if (cadence.reads && entry !== null) {
        const exit = gpuReadCount()!;
        cadence.reads.push({ step, compute: entry - readMark, callbacks: exit - entry, preview, attention });
        readMark = exit;
      }
    },
  });
  throwIfAborted(ctx.signal);

  // The pipeline's own sum is the authoritative final map (the tap's copy only streams).
  if (result.attention) await postAttention(result.attention.maps, lastCall);
  ctx.preview.addRgbaSamples(result.latents, result.latentDims, result.images, result.width, result.height);
  result.images.forEach((rgba, p) => {
    const label = imageLabel(phase, request.edit !== undefined, p);
    post({ type: 'image', id, phase, prompt: p, label, width: result.width, height: result.height, rgba });
  });
  return result;
}

/**
 * A picture's part of the job: centre-crop and resize it to the model's image size, invert it with the source
 * prompt (progress as phase 'inversion'), and return the request that edits it (DDIM from the inverted latent).
 */
async function invertPicture(ctx: RunContext, request: GenerateRequest, picture: PictureRequest): Promise<GenerateRequest> {
  const size = ctx.imageSize;
  if (!ctx.model.backend.encode) throw new PipelineError('bad-input', 'this model has no VAE encoder (vae_encoder/model.onnx), so it cannot edit a picture');
  if (!size || size[0] !== size[1]) throw new PipelineError('bad-input', `editing a picture needs a square image size, this model's is ${size ? `${size[1]}×${size[0]}` : 'unknown'}`);
  // The edit's checks first: a bad request must not cost the whole inversion.
  checkPictureRequest(request, picture.method);
  prepareRun({ ...request, scheduler: 'ddim' }, ctx.model.backend.capabilities, ctx.model.tokenizer);
  const pixels = imageToSample(picture.rgba, picture.width, picture.height, size[0]);
  const inverted = await invertImage(
    ctx.model,
    { prompt: request.prompts[0] ?? '', pixels, pixelDims: [1, 3, size[0], size[1]], steps: request.steps },
    { signal: ctx.signal, now: ctx.now, onProgress: (e) => ctx.post({ type: 'progress', id: ctx.id, phase: 'inversion', call: e.call, total: e.total, elapsed: e.elapsed }) },
  );
  throwIfAborted(ctx.signal);
  return pictureRequest(request, inverted, picture.method);
}

/** The whole job: a picture's inversion (when given), main phase, optional baseline, then `done`. Throws on cancel or failure. */
export async function runGeneration(ctx: RunContext, req: EngineGenerateRequest): Promise<void> {
  const { baseline, previewEvery, attentionEvery, picture, ...asked } = req;
  const request = picture ? await invertPicture(ctx, asked, picture) : asked;
  const every = previewEvery ?? Math.max(1, Math.round(request.steps / 10));
  // Where the latents stay on the device (WebGPU), attention is read with the previews by default: a time-throttled
  // read would sync the GPU between previews. On the CPU reads cost nothing, so time decides.
  const attention = { attentionEvery: attentionEvery ?? (ctx.model.backend.residentLoop && every > 0 ? every : undefined) };
  const reads = gpuReadCount() === null ? undefined : [];
  const main = await runPhase(ctx, 'main', request, { previewEvery: every, ...attention, reads });
  let baselineTimings: GenerateResult['timings'] | undefined;
  if (baseline && request.edit) {
    const plain: GenerateRequest = { ...request, edit: undefined };
    baselineTimings = (await runPhase(ctx, 'baseline', plain, { previewEvery: every, ...attention })).timings;
  }
  throwIfAborted(ctx.signal);
  ctx.post({ type: 'done', id: ctx.id, timings: main.timings, baselineTimings, warnings: main.warnings, latentsOnDevice: main.latentsOnDevice, ...(reads ? { gpuReads: reads } : {}) });
}
