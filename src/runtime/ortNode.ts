// The diffusion Backend over onnxruntime-node sessions (text encoder, UNet, VAE decoder): the only
// place in the pipeline's Node path importing onnxruntime. Input names and dtypes come from the graphs.

import * as ort from 'onnxruntime-node';
import type { Backend } from '../diffusion';
import { backendOverSessions } from './ortBackend';

/** A model file path, or its bytes. */
export type ModelSource = string | Uint8Array;

export interface OrtNodeBackendOptions {
  textEncoder: ModelSource;
  unet: ModelSource;
  vaeDecoder: ModelSource;
  /** Default latent `[h, w]` when the UNet's sample has symbolic dims (from unet/config.json `sample_size`). */
  latentSize?: [number, number];
  /** ORT threads per session (default: ORT's choice). */
  threads?: number;
}

async function open(source: ModelSource, threads: number | undefined, what: string): Promise<ort.InferenceSession> {
  const options: ort.InferenceSession.SessionOptions = { executionProviders: ['cpu'], graphOptimizationLevel: 'all' };
  if (threads) options.intraOpNumThreads = threads;
  try {
    return typeof source === 'string'
      ? await ort.InferenceSession.create(source, options)
      : await ort.InferenceSession.create(source, options);
  } catch (err) {
    throw new Error(`cannot load the ${what} (${typeof source === 'string' ? source : `${source.byteLength} bytes`}): ${(err as Error).message}`);
  }
}

export async function createOrtNodeBackend(opts: OrtNodeBackendOptions): Promise<Backend> {
  const [text, unet, vae] = await Promise.all([
    open(opts.textEncoder, opts.threads, 'text encoder'),
    open(opts.unet, opts.threads, 'UNet'),
    open(opts.vaeDecoder, opts.threads, 'VAE decoder'),
  ]);
  return backendOverSessions({ text, unet, vae }, { Tensor: ort.Tensor, runtime: 'onnxruntime-node cpu', latentSize: opts.latentSize });
}
