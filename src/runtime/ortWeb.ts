/**
 * onnxruntime-web sessions for the browser (WebGPU first, wasm fallback): the only place on the web
 * side importing onnxruntime. Models come as bytes; external data (weights kept in their original
 * file) is passed by name, so weights are never copied into a second buffer.
 */
import * as ort from 'onnxruntime-web/webgpu';
import { ortWebGpuDevice } from './webgpu/ortDevice';

export type WebProvider = 'webgpu' | 'wasm';

export interface WebSessionOptions {
  provider: WebProvider;
  externalData?: { path: string; data: Uint8Array }[];
  /** Outputs to keep on the GPU (WebGPU only); the caller then reads or reuses their GPU buffers. */
  gpuOutputs?: string[];
  /** Symbolic dims fixed at session creation (from the model layout, src/models/layout.ts). */
  freeDimensionOverrides?: Record<string, number>;
}

export { ort };

/**
 * Wasm threads: several when the page is cross-origin isolated, else one. Also undoes
 * transformers.js's default of fetching the wasm binary from a CDN (it sets `wasmPaths` when it is
 * imported): the app serves its own copy, emitted by Vite next to the bundle, and works offline.
 */
export function configureWasm(threads?: number): void {
  ort.env.wasm.wasmPaths = undefined;
  const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;
  const cores = (globalThis.navigator as { hardwareConcurrency?: number } | undefined)?.hardwareConcurrency ?? 1;
  ort.env.wasm.numThreads = threads ?? (isolated ? Math.min(4, cores) : 1);
}

let deviceAnnounced = false;

export async function createWebSession(model: Uint8Array, options: WebSessionOptions): Promise<ort.InferenceSession> {
  const device = options.provider === 'webgpu' ? await ortWebGpuDevice() : undefined;
  // Also the device `ort.env.webgpu.device` answers with (our kernels run on it); set once, before the first session.
  if (device && !deviceAnnounced) {
    ort.env.webgpu.device = device;
    deviceAnnounced = true;
  }
  const sessionOptions: ort.InferenceSession.SessionOptions = {
    // A device of our own only on adapters with narrow subgroups (webgpu/ortDevice.ts); else onnxruntime makes one.
    executionProviders: [device ? { name: 'webgpu', device } : options.provider],
    graphOptimizationLevel: 'all',
  };
  if (options.provider === 'webgpu') {
    // As onnxruntime-web's Stable Diffusion WebGPU demos (docs/models.md): no CPU-side arenas or memory
    // patterns, initializers straight into GPU buffers, the model bytes used in place.
    sessionOptions.enableMemPattern = false;
    sessionOptions.enableCpuMemArena = false;
    sessionOptions.extra = {
      session: {
        disable_prepacking: '1',
        use_device_allocator_for_initializers: '1',
        use_ort_model_bytes_directly: '1',
        use_ort_model_bytes_for_initializers: '1',
      },
    };
  }
  if (options.externalData) sessionOptions.externalData = options.externalData;
  if (options.freeDimensionOverrides && Object.keys(options.freeDimensionOverrides).length > 0) sessionOptions.freeDimensionOverrides = options.freeDimensionOverrides;
  if (options.gpuOutputs && options.provider === 'webgpu') {
    sessionOptions.preferredOutputLocation = Object.fromEntries(options.gpuOutputs.map((name) => [name, 'gpu-buffer' as const]));
  }
  return ort.InferenceSession.create(model, sessionOptions);
}
