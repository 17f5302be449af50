/**
 * Messages of the GPU probe worker: it obtains a WebGPU device inside a module worker (where the
 * engine will run) and runs the guidance WGSL kernel on the inputs it is given.
 */
import type { GpuInfo } from '../src/runtime/webgpu/device';

export interface ProbeRequest {
  type: 'probe';
  id: number;
  uncond: Float32Array;
  cond: Float32Array;
  scale: number;
}

export type ProbeEvent =
  | { type: 'probe-result'; id: number; info: GpuInfo; output: Float32Array; inWorker: boolean; millis: number }
  | { type: 'probe-error'; id: number; code: 'no-webgpu' | 'kernel-failed'; message: string };
