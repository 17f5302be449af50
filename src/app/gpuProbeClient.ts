/**
 * Page side of the GPU probe (the app's device probe, src/app/deviceProbe.ts, and the e2e hook): runs the guidance
 * kernel in a module worker and resolves with its output, or rejects with the worker's reason (e.g. no WebGPU).
 * The worker is ended afterwards.
 */
import type { ProbeEvent, ProbeRequest } from '../../workers/gpuProbeProtocol';

export interface ProbeResult {
  info: Extract<ProbeEvent, { type: 'probe-result' }>['info'];
  inWorker: boolean;
  millis: number;
  uncond: Float32Array;
  cond: Float32Array;
  scale: number;
  output: Float32Array;
}

export class GpuProbeError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
    this.name = 'GpuProbeError';
  }
}

/** Deterministic inputs in [-1, 1) (a small LCG; the values only need to be varied). */
function sampleInputs(count: number, seed: number): Float32Array {
  let state = seed >>> 0;
  return Float32Array.from({ length: count }, () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 31 - 1;
  });
}

let nextId = 1;

export function probeGpu(count = 4096, scale = 7.5, timeoutMs = 60_000): Promise<ProbeResult> {
  const uncond = sampleInputs(count, 1);
  const cond = sampleInputs(count, 2);
  const worker = new Worker(new URL('../../workers/gpu-probe.worker.ts', import.meta.url), { type: 'module' });
  const id = nextId++;
  return new Promise<ProbeResult>((resolve, reject) => {
    const timer = setTimeout(() => reject(new GpuProbeError('timeout', `GPU probe gave no answer in ${timeoutMs} ms`)), timeoutMs);
    worker.onmessage = (event: MessageEvent<ProbeEvent>) => {
      clearTimeout(timer);
      const msg = event.data;
      if (msg.id !== id) return;
      if (msg.type === 'probe-result') {
        resolve({ info: msg.info, inWorker: msg.inWorker, millis: msg.millis, uncond, cond, scale, output: msg.output });
      } else if (msg.type === 'probe-error') {
        reject(new GpuProbeError(msg.code, msg.message));
      }
    };
    worker.onerror = (event) => reject(new GpuProbeError('worker-failed', event.message || 'the GPU probe worker failed to start'));
    const request: ProbeRequest = { type: 'probe', id, uncond: uncond.slice(), cond: cond.slice(), scale };
    worker.postMessage(request, [request.uncond.buffer, request.cond.buffer]);
  }).finally(() => worker.terminate());
}
