/**
 * Module worker (test-only: reached through the e2e hook, absent from production builds) that runs the
 * LocalBlend, heatmap, scheduler-step, accumulate and UNet-sample WGSL kernels on given inputs, for the parity tests in e2e/kernels.spec.ts.
 */
import { AccumulateKernel } from '../src/runtime/kernels/accumulate';
import { HeatmapKernel } from '../src/runtime/kernels/heatmaps';
import { LinearStepKernel } from '../src/runtime/kernels/linearStep';
import { LocalBlendKernel } from '../src/runtime/kernels/localBlend';
import { UnetSampleKernel } from '../src/runtime/kernels/unetSample';
import { WebGpuUnavailableError, requestGpuDevice } from '../src/runtime/webgpu/device';
import type { KernelCheckEvent, KernelCheckRequest, KernelCheckResult } from './kernelCheckProtocol';

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
    const accumulate = req.accumulate && (await new AccumulateKernel(device).run(req.accumulate.steps));
    const u = req.unetSample;
    const unetSample = u && (await new UnetSampleKernel(device).run(u.x, u.divisor, u.type, u.halves));
    return { type: 'kernels-result', id: req.id, localBlend, heatmaps, linearSteps, accumulate, unetSample };
  } finally {
    device.destroy();
  }
}

scope.onmessage = (event: MessageEvent<KernelCheckRequest>) => {
  if (event.data?.type !== 'kernels') return;
  const id = event.data.id;
  const post = (message: KernelCheckEvent, transfer: Transferable[] = []) => scope.postMessage(message, transfer);
  checkKernels(event.data).then(
    (result) => post(result, result.localBlend ? [result.localBlend.buffer] : []),
    (err: Error) => post({ type: 'kernels-error', id, code: err instanceof WebGpuUnavailableError ? 'no-webgpu' : 'kernel-failed', message: err.message }),
  );
};
