/**
 * Module worker that checks WebGPU where the engine will run: device, then one WGSL kernel (the guidance
 * kernel). The app's device probe uses it; the kernel parity checks have their own, test-only, worker
 * (kernel-check.worker.ts).
 */
import { GuidanceKernel } from '../src/runtime/kernels/guidance';
import { WebGpuUnavailableError, requestGpuDevice } from '../src/runtime/webgpu/device';
import type { ProbeEvent, ProbeRequest } from './gpuProbeProtocol';

const scope = self as unknown as DedicatedWorkerGlobalScope;

scope.onmessage = async (event: MessageEvent<ProbeRequest>) => {
  const post = (message: ProbeEvent, transfer: Transferable[] = []) => scope.postMessage(message, transfer);
  if (event.data?.type !== 'probe') return;
  const { id, uncond, cond, scale } = event.data;
  try {
    const started = performance.now();
    const { device, info } = await requestGpuDevice();
    const output = await new GuidanceKernel(device).run(uncond, cond, scale);
    device.destroy();
    const inWorker = typeof (globalThis as { WorkerGlobalScope?: unknown }).WorkerGlobalScope !== 'undefined';
    post({ type: 'probe-result', id, info, output, inWorker, millis: performance.now() - started }, [output.buffer]);
  } catch (err) {
    const code = err instanceof WebGpuUnavailableError ? 'no-webgpu' : 'kernel-failed';
    post({ type: 'probe-error', id, code, message: (err as Error).message });
  }
};
