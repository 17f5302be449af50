// Can this device run a model, and on which backend? A pure verdict over a plain capabilities object
// (the adapter's facts, shader-f16, buffer limits, a memory estimate for the batch = prompts × 2) and
// the "Run on" setting, with the alternatives when it cannot. The backend comes from `chooseBackend`, so
// the verdict and the engine name the same backend with the same sentence.

import { chooseBackend, describeChoice, type AdapterFacts, type BackendChoice, type BackendMeasurement, type Preference } from './backendChoice';
import { formatBytes } from './progress';
import { isEmbeddedModel, type ModelEntry, type ModelRequirements, type Precision } from './registry';

export interface DeviceCapabilities {
  /** An adapter was found (navigator.gpu.requestAdapter() returned one). */
  webgpu: boolean;
  /** Its identity (vendor, architecture…; software or not), when known. */
  adapter?: AdapterFacts;
  /** Why there is no adapter (or why the check of it failed). */
  unavailable?: string;
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

export interface VerdictOptions {
  /** The "Run on" setting (default 'auto'). */
  preference?: Preference;
  /** A measurement remembered for this model on this browser (Automatic on a hardware adapter). */
  remembered?: BackendMeasurement;
}

export interface Verdict {
  status: 'ok' | 'warn' | 'blocked';
  provider: 'webgpu' | 'wasm';
  /** The backend and why (the first sentence of `message` when the model can run). */
  choice: BackendChoice;
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

/** An adapter whose identity the caller did not record (only `webgpu: true` was known). */
const UNNAMED: AdapterFacts = { vendor: '', architecture: '', device: '', description: '' };

export function checkCapabilities(model: ModelEntry, caps: DeviceCapabilities, plan: RunPlan, options: VerdictOptions = {}): Verdict {
  const batch = batchSize(plan);
  const estimate = estimateMemory(model.requirements, model.precision, batch);
  const isToy = isEmbeddedModel(model.id);
  const preference = options.preference ?? 'auto';
  const toy = isToy ? [] : [{ kind: 'toy-model' as const, message: 'Use the embedded emoji model: it runs on any device, on wasm too.' }];
  // fp16 graphs have hardly any wasm kernels; big fp32 ones do not fit the wasm heap.
  const wasmMisfits = model.precision === 'fp16' ? ['an fp16 model needs WebGPU'] : misfits(model, caps, batch, false);
  const choice = chooseBackend({ preference, adapter: caps.webgpu ? (caps.adapter ?? UNNAMED) : undefined, unavailable: caps.unavailable, wasmViable: wasmMisfits.length === 0, remembered: options.remembered });
  const said = describeChoice(choice);
  const blocked = (message: string, reasons: string[], alternatives: Verdict['alternatives'] = toy): Verdict => ({ status: 'blocked', provider: choice.provider, choice, message, reasons, alternatives, estimate });

  // 1. On wasm: fp16 cannot run, a model over the heap does not fit.
  if (choice.provider === 'wasm') {
    if (model.precision === 'fp16') {
      const why = preference === 'wasm' ? '"Run on" is set to WebAssembly' : 'this browser offers no WebGPU adapter';
      return blocked(`${model.label} needs WebGPU, and ${why}.`, [caps.webgpu ? 'WebAssembly chosen' : 'WebGPU is not available (no adapter)']);
    }
    if (wasmMisfits.length > 0) return blocked(`${model.label} does not fit in wasm memory: ${wasmMisfits.join('; ')}.`, wasmMisfits);
    return { status: isToy ? 'ok' : 'warn', provider: 'wasm', choice, message: isToy ? said : `${said} Large models run very slowly on WebAssembly.`, reasons: [], alternatives: toy, estimate };
  }

  // 2. WebGPU chosen in "Run on" where there is none.
  if (!caps.webgpu) {
    const wasm = wasmMisfits.length === 0 ? [{ kind: 'wasm' as const, message: 'Set "Run on" to Automatic or WebAssembly.' }] : [];
    return blocked(`"Run on" is set to WebGPU, and this browser offers no WebGPU adapter${caps.unavailable ? ` (${caps.unavailable})` : ''}.`, ['WebGPU is not available (no adapter)'], [...wasm, ...toy]);
  }

  // 3. fp16 shaders.
  if (model.requirements.shaderF16 && !caps.features.includes('shader-f16')) {
    return blocked(`${model.label} is fp16 and this GPU lacks the WebGPU "shader-f16" feature.`, ['adapter has no shader-f16']);
  }

  // 4. Buffer limits and memory for the chosen batch; which smaller plan would fit.
  const reasons = misfits(model, caps, batch, true);
  if (reasons.length === 0) {
    const budget = memoryBudget(caps);
    const note = budget === undefined ? ` It needs about ${formatBytes(estimate.totalBytes)}; this browser does not report memory.` : '';
    return { status: choice.reason === 'software-only' ? 'warn' : 'ok', provider: 'webgpu', choice, message: `${said}${note}`, reasons: [], alternatives: [], estimate };
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
  return { status: hardLimit ? 'blocked' : 'warn', provider: 'webgpu', choice, message, reasons, alternatives, estimate };
}

/** What a WebGPU probe read from an adapter (the probe worker's GpuInfo has this shape). */
export interface ProbedAdapter extends AdapterFacts {
  features: readonly string[];
  maxBufferSize: number;
  maxStorageBufferBindingSize: number;
}

/** The capabilities object from a probe's adapter facts (or the reason there is none) and navigator.deviceMemory. */
export function capabilitiesFromProbe(probed: ProbedAdapter | undefined, unavailable?: string, deviceMemoryGiB?: number): DeviceCapabilities {
  const base: DeviceCapabilities = { webgpu: false, features: [] };
  if (deviceMemoryGiB !== undefined) base.deviceMemoryGiB = deviceMemoryGiB;
  if (!probed) return unavailable ? { ...base, unavailable } : base;
  const { features, maxBufferSize, maxStorageBufferBindingSize, ...facts } = probed;
  return { ...base, webgpu: true, adapter: facts, features: [...features], limits: { maxBufferSize, maxStorageBufferBindingSize } };
}
