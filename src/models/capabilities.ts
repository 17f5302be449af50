// Can this device run a model? A pure verdict over a plain capabilities object (WebGPU, shader-f16,
// buffer limits, a memory estimate for the batch = prompts × 2), with the alternatives when it cannot.

import { formatBytes } from './progress';
import type { ModelEntry, ModelRequirements, Precision } from './registry';

export interface DeviceCapabilities {
  /** An adapter was found (navigator.gpu.requestAdapter() returned one). */
  webgpu: boolean;
  /** The adapter's features (`shader-f16`, …). */
  features: readonly string[];
  /** The adapter's limits (what a device can request). */
  limits?: { maxBufferSize: number; maxStorageBufferBindingSize: number };
  /** navigator.deviceMemory in GiB (browsers round it and cap it, Chrome at 8). */
  deviceMemoryGiB?: number;
  /** A known GPU memory budget in bytes (overrides the deviceMemory guess). */
  gpuMemoryBytes?: number;
}

export interface RunPlan {
  /** Source + edit prompts generated together. */
  prompts: number;
  /** Unconditional and conditional halves run as two calls: batch = prompts instead of prompts × 2. */
  lowMemory: boolean;
}

export type AlternativeKind = 'low-memory' | 'fewer-prompts' | 'toy-model' | 'wasm';

export interface Verdict {
  status: 'ok' | 'warn' | 'blocked';
  provider: 'webgpu' | 'wasm';
  message: string;
  reasons: string[];
  alternatives: { kind: AlternativeKind; message: string }[];
  estimate: MemoryEstimate;
}

export interface MemoryEstimate {
  batch: number;
  weightBytes: number;
  activationBytes: number;
  totalBytes: number;
  /** The largest single buffer: a weight, or the self-attention scores of the whole batch. */
  largestTensorBytes: number;
}

const BYTES: Record<Precision, number> = { fp16: 2, fp32: 4 };
/** Buffers alive at the peak per image: the attention scores and their softmax (the edit writes in place of one). */
const LIVE_SCORE_BUFFERS = 2;
/** Share of navigator.deviceMemory assumed usable by one tab's GPU work (a guess, stated in the docs). */
const DEVICE_MEMORY_SHARE = 0.5;
/** wasm32 heap limit for onnxruntime-web's wasm backend. */
const WASM_HEAP = 4 * 2 ** 30;

export function batchSize(plan: RunPlan): number {
  return plan.lowMemory ? plan.prompts : plan.prompts * 2;
}

/** Memory for one generation: weights plus the highest-resolution self-attention per image (estimate). */
export function estimateMemory(req: ModelRequirements, precision: Precision, batch: number): MemoryEstimate {
  const tokens = req.latentSize * req.latentSize;
  const scoresPerImage = req.heads * tokens * tokens * BYTES[precision];
  const activationBytes = batch * scoresPerImage * LIVE_SCORE_BUFFERS;
  return {
    batch,
    weightBytes: req.weightBytes,
    activationBytes,
    totalBytes: req.weightBytes + activationBytes,
    largestTensorBytes: Math.max(req.largestWeightBytes, batch * scoresPerImage),
  };
}

function memoryBudget(caps: DeviceCapabilities): number | undefined {
  if (caps.gpuMemoryBytes !== undefined) return caps.gpuMemoryBytes;
  return caps.deviceMemoryGiB !== undefined ? caps.deviceMemoryGiB * 2 ** 30 * DEVICE_MEMORY_SHARE : undefined;
}

/** Why a batch does not fit (empty when it does). */
function misfits(model: ModelEntry, caps: DeviceCapabilities, batch: number, onGpu: boolean): string[] {
  const est = estimateMemory(model.requirements, model.precision, batch);
  const out: string[] = [];
  if (onGpu && caps.limits) {
    const limit = Math.min(caps.limits.maxBufferSize, caps.limits.maxStorageBufferBindingSize);
    if (est.largestTensorBytes > limit) {
      out.push(`its largest buffer (${formatBytes(est.largestTensorBytes)} at batch ${batch}) exceeds this GPU's buffer limit of ${formatBytes(limit)}`);
    }
  }
  const budget = onGpu ? memoryBudget(caps) : WASM_HEAP;
  if (budget !== undefined && est.totalBytes > budget) {
    out.push(`it needs about ${formatBytes(est.totalBytes)} at batch ${batch}, more than the ~${formatBytes(budget)} ${onGpu ? 'this device can likely give it' : 'the wasm heap allows'}`);
  }
  return out;
}

export function checkCapabilities(model: ModelEntry, caps: DeviceCapabilities, plan: RunPlan, toyId = 'toy-shapes'): Verdict {
  const batch = batchSize(plan);
  const estimate = estimateMemory(model.requirements, model.precision, batch);
  const isToy = model.id === toyId;
  const toy = isToy ? [] : [{ kind: 'toy-model' as const, message: 'Use the embedded toy model: it runs on any device, on wasm too.' }];
  const blocked = (message: string, reasons: string[], alternatives = toy): Verdict => ({ status: 'blocked', provider: caps.webgpu ? 'webgpu' : 'wasm', message, reasons, alternatives, estimate });

  // 1. Without WebGPU only wasm remains: fp16 graphs have hardly any wasm kernels, big fp32 ones do not fit.
  if (!caps.webgpu) {
    if (model.precision === 'fp16') return blocked(`${model.label} needs WebGPU, which this browser does not offer.`, ['WebGPU is not available (no adapter)']);
    const reasons = misfits(model, caps, batch, false);
    if (reasons.length > 0) return blocked(`${model.label} does not fit in wasm memory: ${reasons.join('; ')}.`, reasons);
    return { status: isToy ? 'ok' : 'warn', provider: 'wasm', message: isToy ? 'Runs on wasm (no WebGPU here).' : 'No WebGPU: it will run on wasm, very slowly.', reasons: [], alternatives: toy, estimate };
  }

  // 2. fp16 shaders.
  if (model.requirements.shaderF16 && !caps.features.includes('shader-f16')) {
    return blocked(`${model.label} is fp16 and this GPU lacks the WebGPU "shader-f16" feature.`, ['adapter has no shader-f16']);
  }

  // 3. Buffer limits and memory for the chosen batch; which smaller plan would fit.
  const reasons = misfits(model, caps, batch, true);
  if (reasons.length === 0) {
    const budget = memoryBudget(caps);
    const note = budget === undefined ? ` (about ${formatBytes(estimate.totalBytes)}; this browser does not report memory)` : '';
    return { status: 'ok', provider: 'webgpu', message: `Runs on WebGPU${note}.`, reasons: [], alternatives: [], estimate };
  }
  const alternatives: Verdict['alternatives'] = [];
  if (!plan.lowMemory && misfits(model, caps, plan.prompts, true).length === 0) {
    alternatives.push({ kind: 'low-memory', message: 'Turn on low-memory mode (runs the unconditional and conditional halves separately).' });
  }
  for (let p = plan.prompts - 1; p >= 2; p--) {
    if (misfits(model, caps, plan.lowMemory ? p : p * 2, true).length === 0) {
      alternatives.push({ kind: 'fewer-prompts', message: `Use at most ${p} prompts (source + ${p - 1} edit${p > 2 ? 's' : ''}).` });
      break;
    }
  }
  alternatives.push(...toy);
  // A buffer over the limit fails for sure; a memory estimate over a coarse budget only probably.
  const hardLimit = reasons.some((r) => r.includes('buffer limit'));
  const message = `${model.label} ${hardLimit ? 'cannot run' : 'may not fit'} with ${plan.prompts} prompts${plan.lowMemory ? ' in low-memory mode' : ''}: ${reasons.join('; ')}.`;
  return { status: hardLimit ? 'blocked' : 'warn', provider: 'webgpu', message, reasons, alternatives, estimate };
}

/** The capabilities object from a real adapter (page or worker); no device is created. */
export async function probeCapabilities(): Promise<DeviceCapabilities> {
  const nav = (globalThis as { navigator?: { gpu?: GPU; deviceMemory?: number } }).navigator;
  const base: DeviceCapabilities = { webgpu: false, features: [] };
  if (nav?.deviceMemory !== undefined) base.deviceMemoryGiB = nav.deviceMemory;
  const adapter = await nav?.gpu?.requestAdapter().catch(() => null);
  if (!adapter) return base;
  return {
    ...base,
    webgpu: true,
    features: [...adapter.features],
    limits: { maxBufferSize: adapter.limits.maxBufferSize, maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize },
  };
}
