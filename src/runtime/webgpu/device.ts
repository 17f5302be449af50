/**
 * Obtains a WebGPU device in a page or worker, or explains why it cannot (so callers can fall back
 * to wasm and tell the user the reason).
 */

import type { AdapterFacts } from '../../models/backendChoice';

/** The adapter's identity (GPUAdapterInfo) plus what the engine needs from its features and limits. */
export interface GpuInfo extends AdapterFacts {
  features: string[];
  maxBufferSize: number;
  maxStorageBufferBindingSize: number;
}

export class WebGpuUnavailableError extends Error {
  constructor(reason: string) {
    super(`WebGPU is not available: ${reason}`);
    this.name = 'WebGpuUnavailableError';
  }
}

export async function requestGpuDevice(): Promise<{ device: GPUDevice; info: GpuInfo }> {
  const gpu = (globalThis.navigator as Navigator & { gpu?: GPU }).gpu;
  if (!gpu) throw new WebGpuUnavailableError('this browser exposes no navigator.gpu (try a recent Chrome or Edge)');
  const adapter = await gpu.requestAdapter();
  if (!adapter) throw new WebGpuUnavailableError('no GPU adapter was found (the GPU may be blocklisted or disabled)');
  const device = await adapter.requestDevice({
    requiredLimits: {
      maxBufferSize: adapter.limits.maxBufferSize,
      maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
    },
  });
  return {
    device,
    info: {
      ...adapterFacts(adapter),
      features: [...adapter.features].map(String).sort(),
      maxBufferSize: device.limits.maxBufferSize,
      maxStorageBufferBindingSize: device.limits.maxStorageBufferBindingSize,
    },
  };
}

/** The adapter's identity as the browser reports it; the same reader serves the probe and the engine worker. */
export function adapterFacts(adapter: GPUAdapter): AdapterFacts {
  // Chrome 13x moved isFallbackAdapter from GPUAdapter to GPUAdapterInfo; older builds have only the former.
  const info = adapter.info as (GPUAdapterInfo & { isFallbackAdapter?: boolean }) | undefined;
  const legacy = (adapter as GPUAdapter & { isFallbackAdapter?: boolean }).isFallbackAdapter;
  const fallback = info?.isFallbackAdapter ?? legacy;
  return {
    vendor: info?.vendor ?? '',
    architecture: info?.architecture ?? '',
    device: info?.device ?? '',
    description: info?.description ?? '',
    ...(typeof fallback === 'boolean' ? { isFallbackAdapter: fallback } : {}),
  };
}

/** This context's adapter's facts without creating a device, or why there is none. */
export async function probeAdapter(): Promise<{ adapter: AdapterFacts } | { unavailable: string }> {
  const gpu = (globalThis.navigator as { gpu?: GPU } | undefined)?.gpu;
  if (!gpu) return { unavailable: 'navigator.gpu is missing' };
  try {
    const adapter = await gpu.requestAdapter();
    return adapter ? { adapter: adapterFacts(adapter) } : { unavailable: 'requestAdapter returned no adapter' };
  } catch (err) {
    return { unavailable: `requestAdapter failed: ${err instanceof Error ? err.message : String(err)}` };
  }
}
