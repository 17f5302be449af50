/**
 * Obtains a WebGPU device in a page or worker, or explains why it cannot (so callers can fall back
 * to wasm and tell the user the reason).
 */

export interface GpuInfo {
  vendor: string;
  architecture: string;
  description: string;
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
  const ai = adapter.info;
  return {
    device,
    info: {
      vendor: ai?.vendor ?? '',
      architecture: ai?.architecture ?? '',
      description: ai?.description ?? '',
      features: [...adapter.features].map(String).sort(),
      maxBufferSize: device.limits.maxBufferSize,
      maxStorageBufferBindingSize: device.limits.maxStorageBufferBindingSize,
    },
  };
}
