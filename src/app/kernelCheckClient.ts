/**
 * Page side of the kernel-check worker (test-only, used by end-to-end tests through the window hook): runs the
 * LocalBlend, heatmap and scheduler-step WGSL kernels in a module worker on the given inputs. The worker is ended afterwards.
 */
import type { KernelCheckEvent, KernelCheckRequest, KernelCheckResult } from '../../workers/kernelCheckProtocol';
import { GpuProbeError } from './gpuProbeClient';

let nextId = 1;

export function checkKernels(inputs: Omit<KernelCheckRequest, 'type' | 'id'>, timeoutMs = 120_000): Promise<KernelCheckResult> {
  const worker = new Worker(new URL('../../workers/kernel-check.worker.ts', import.meta.url), { type: 'module' });
  const id = nextId++;
  return new Promise<KernelCheckResult>((resolve, reject) => {
    const timer = setTimeout(() => reject(new GpuProbeError('timeout', `kernel check gave no answer in ${timeoutMs} ms`)), timeoutMs);
    worker.onmessage = (event: MessageEvent<KernelCheckEvent>) => {
      const msg = event.data;
      if (msg.id !== id) return;
      clearTimeout(timer);
      if (msg.type === 'kernels-result') resolve(msg);
      else reject(new GpuProbeError(msg.code, msg.message));
    };
    worker.onerror = (event) => reject(new GpuProbeError('worker-failed', event.message || 'the kernel-check worker failed to start'));
    worker.postMessage({ type: 'kernels', id, ...inputs } satisfies KernelCheckRequest);
  }).finally(() => worker.terminate());
}
