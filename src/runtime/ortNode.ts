// The diffusion Backend over onnxruntime-node sessions (text encoder, UNet, VAE decoder): the only
// place in the pipeline's Node path importing onnxruntime. Input names and dtypes come from the graphs.

import * as ort from 'onnxruntime-node';
import type { Backend } from '../diffusion';
import { backendOverSessions } from './ortBackend';

/** A model file path, or its bytes. */
export type ModelSource = string | Uint8Array;

/** onnxruntime-node's execution providers this project runs: `webgpu` is Dawn (built into the linux-x64 binary). */
export type NodeExecutionProvider = 'cpu' | 'webgpu' | 'cuda';

export interface OrtNodeBackendOptions {
  textEncoder: ModelSource;
  unet: ModelSource;
  vaeDecoder: ModelSource;
  /** `vae_encoder/model.onnx`, when the model has one (editing a picture). */
  vaeEncoder?: ModelSource;
  /** Default latent `[h, w]` when the UNet's sample has symbolic dims (from unet/config.json `sample_size`). */
  latentSize?: [number, number];
  /** ORT threads per session (default: ORT's choice). */
  threads?: number;
  /** `freeDimensionOverrides` per session, from the model layout (src/models/layout.ts). */
  freeDimensions?: { textEncoder?: Record<string, number>; unet?: Record<string, number>; vaeDecoder?: Record<string, number> };
  /** Default `cpu`; the GPU benchmark pack runs `webgpu` or `cuda`. */
  executionProvider?: NodeExecutionProvider;
}

async function open(source: ModelSource, threads: number | undefined, what: string, freeDimensions?: Record<string, number>, ep: NodeExecutionProvider = 'cpu'): Promise<ort.InferenceSession> {
  const options: ort.InferenceSession.SessionOptions = { executionProviders: [ep], graphOptimizationLevel: 'all' };
  if (threads) options.intraOpNumThreads = threads;
  // Set as on the web; onnxruntime-node 1.30's binding does not read this option (docs/models.md).
  if (freeDimensions && Object.keys(freeDimensions).length > 0) options.freeDimensionOverrides = freeDimensions;
  try {
    return typeof source === 'string'
      ? await ort.InferenceSession.create(source, options)
      : await ort.InferenceSession.create(source, options);
  } catch (err) {
    throw new Error(`cannot load the ${what} (${typeof source === 'string' ? source : `${source.byteLength} bytes`}) on ${ep}: ${(err as Error).message}`);
  }
}

export async function createOrtNodeBackend(opts: OrtNodeBackendOptions): Promise<Backend> {
  const ep = opts.executionProvider ?? 'cpu';
  const [text, unet, vae, vaeEncoder] = await Promise.all([
    open(opts.textEncoder, opts.threads, 'text encoder', opts.freeDimensions?.textEncoder, ep),
    open(opts.unet, opts.threads, 'UNet', opts.freeDimensions?.unet, ep),
    open(opts.vaeDecoder, opts.threads, 'VAE decoder', opts.freeDimensions?.vaeDecoder, ep),
    // Optional, as on the web: an encoder that does not open leaves a model that generates (and says why).
    opts.vaeEncoder === undefined
      ? undefined
      : open(opts.vaeEncoder, opts.threads, 'VAE encoder', undefined, ep).catch((err: unknown) => {
          console.warn(`warning: ${(err as Error).message}; this model cannot take a picture`);
          return undefined;
        }),
  ]);
  return backendOverSessions({ text, unet, vae, ...(vaeEncoder ? { vaeEncoder } : {}) }, { Tensor: ort.Tensor, runtime: `onnxruntime-node ${ep}`, latentSize: opts.latentSize });
}
