/**
 * Module worker that checks WebGPU where the engine will run: device, then one WGSL kernel (`probe`),
 * or the LocalBlend, heatmap and scheduler-step kernels on given inputs (`kernels`, for the parity tests).
 */
import { GuidanceKernel } from '../src/runtime/kernels/guidance';
import { HeatmapKernel } from '../src/runtime/kernels/heatmaps';
import { LinearStepKernel } from '../src/runtime/kernels/linearStep';
import { LocalBlendKernel } from '../src/runtime/kernels/localBlend';
import { WebGpuUnavailableError, requestGpuDevice } from '../src/runtime/webgpu/device';
import type { KernelCheckRequest, KernelCheckResult, ProbeEvent, ProbeRequest } from './gpuProbeProtocol';

const scope = self as unknown as DedicatedWorkerGlobalScope;

async function checkKernels(req: KernelCheckRequest): Promise<KernelCheckResult> {
  const { device } = await requestGpuDevice();
  try {
    const b = req.localBlend;
    const localBlend = b && (await new LocalBlendKernel(device).run(b.latents, b.maps, b.alphas, { dims: b.dims, res: b.res, keys: b.keys, threshold: b.threshold }));
    const h = req.heatmaps;
    const heatmaps = h && (await new HeatmapKernel(device).run(h.maps, h.prompts, h.res, h.keys, h.count));
    const l = req.linearSteps;
    const linearSteps = l && (await new LinearStepKernel(device).run(l.plans, l.x, l.noises, l.scale));
    return { type: 'kernels-result', id: req.id, localBlend, heatmaps, linearSteps };
  } finally {
    device.destroy();
  }
}

scope.onmessage = async (event: MessageEvent<ProbeRequest | KernelCheckRequest>) => {
  const post = (message: ProbeEvent, transfer: Transferable[] = []) => scope.postMessage(message, transfer);
  if (event.data.type === 'kernels') {
    const id = event.data.id;
    checkKernels(event.data).then(
      (result) => post(result, result.localBlend ? [result.localBlend.buffer] : []),
      (err: Error) => post({ type: 'probe-error', id, code: err instanceof WebGpuUnavailableError ? 'no-webgpu' : 'kernel-failed', message: err.message }),
    );
    return;
  }
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
