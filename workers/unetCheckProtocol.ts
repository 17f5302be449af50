/**
 * Messages of the UNet check worker: instrument a UNet fetched from a URL, run it once on WebGPU and
 * once on wasm with the same inputs, and return both outputs (end-to-end test of the runtime).
 */
import type { InstrumentReport } from '../src/onnx';

export interface UnetCheckRequest {
  type: 'unet-check';
  id: number;
  url: string;
  prompts: number;
  /** Latent `[h, w]` of the inputs. */
  latent: [number, number];
  mapResolution?: number;
  selfMaxQuery?: number;
  /** Fuse the self-attention layers the edit leaves alone into MultiHeadAttention nodes. */
  fuseUnedited?: boolean;
}

export interface UnetRun {
  provider: 'webgpu' | 'wasm';
  outSample: Float32Array;
  attn: Float32Array;
  millis: number;
}

export type UnetCheckEvent =
  | { type: 'unet-check-result'; id: number; report: InstrumentReport; runs: UnetRun[] }
  | { type: 'unet-check-error'; id: number; message: string };
