// The diffusion Backend over onnxruntime-web sessions (text encoder, instrumented UNet, VAE decoder, and the VAE
// encoder when the model has one) on
// WebGPU or wasm, fp16 graphs fed and read as float32 arrays. On WebGPU the UNet leaves `out_sample` on
// the GPU and the denoising loop keeps the latents there (gpuResidentLoop).

import type { Backend } from '../diffusion';
import { ModelError } from '../models/errors';
import { SessionError, type GraphComponent } from './graphErrors';
import { backendOverSessions } from './ortBackend';
import { createWebSession, ort, type WebProvider } from './ortWeb';
import { ModelFileError } from './webFetch';
import { GPU_ATTN_OUTPUT, GPU_NOISE_OUTPUT, gpuHeatmapTiles, gpuResidentLoop } from './webgpu/gpuResidentLoop';

/** External-data files: weights kept in their own file, named by the graph's initializers. */
export type ExternalDataFiles = { path: string; data: Uint8Array }[];

/** A graph's bytes and how to read the external-data files its initializers name. */
export interface WebModelBytes {
  model: Uint8Array;
  /**
   * Reads the external data when the graph's session is created; nothing keeps it after, so one graph's weights at a
   * time sit in JS memory (SD 1.5: the UNet's 1.7 GB, not all three graphs' 2.4 GB). A second set of sessions (a
   * fallback, a measurement) reads it again.
   */
  externalData?: () => Promise<ExternalDataFiles>;
  /** `freeDimensionOverrides` of its session (from the model layout). */
  freeDimensions?: Record<string, number>;
}

export interface OrtWebBackendOptions {
  textEncoder: WebModelBytes;
  unet: WebModelBytes;
  vaeDecoder: WebModelBytes;
  /** The VAE encoder, when the model has one (a picture to edit). */
  vaeEncoder?: WebModelBytes;
  provider: WebProvider;
  /** Default latent `[h, w]` when the UNet's sample has symbolic dims (unet/config.json `sample_size`). */
  latentSize?: [number, number];
}

async function open(bytes: WebModelBytes, provider: WebProvider, what: GraphComponent, gpuOutputs?: string[]): Promise<ort.InferenceSession> {
  const externalData = await bytes.externalData?.(); // a read error is the reader's, not the session's
  try {
    return await createWebSession(bytes.model, { provider, externalData, gpuOutputs, freeDimensionOverrides: bytes.freeDimensions });
  } catch (err) {
    throw new SessionError(what, provider, err instanceof Error ? err.message : String(err));
  }
}

/** Opens the sessions one after another (peak memory: one model being initialised at a time). */
async function openAll(opts: OrtWebBackendOptions): Promise<ort.InferenceSession[]> {
  const opened: ort.InferenceSession[] = [];
  try {
    opened.push(await open(opts.textEncoder, opts.provider, 'text encoder'));
    opened.push(await open(opts.unet, opts.provider, 'UNet', [GPU_NOISE_OUTPUT, GPU_ATTN_OUTPUT]));
    opened.push(await open(opts.vaeDecoder, opts.provider, 'VAE decoder'));
    // The encoder is optional: one that does not open leaves a model that generates but cannot take pictures.
    if (opts.vaeEncoder) {
      // A missing or damaged encoder file, or a session that fails, leaves it out; a cancel still cancels.
      const encoder = await open(opts.vaeEncoder, opts.provider, 'VAE encoder').catch((err: unknown) => {
        if (err instanceof SessionError || err instanceof ModelError || err instanceof ModelFileError) return undefined;
        throw err;
      });
      if (encoder) opened.push(encoder);
    }
  } catch (err) {
    await Promise.all(opened.map((s) => s.release()));
    throw err;
  }
  return opened;
}

export async function createOrtWebBackend(opts: OrtWebBackendOptions): Promise<Backend> {
  const [text, unet, vae, vaeEncoder] = await openAll(opts);
  return backendOverSessions(
    { text: text!, unet: unet!, vae: vae!, ...(vaeEncoder ? { vaeEncoder } : {}) },
    {
      Tensor: ort.Tensor,
      runtime: `onnxruntime-web ${opts.provider}`,
      latentSize: opts.latentSize,
      residentLoop: opts.provider === 'webgpu' ? gpuResidentLoop : undefined,
      heatmapTiles: opts.provider === 'webgpu' ? gpuHeatmapTiles : undefined,
    },
  );
}
