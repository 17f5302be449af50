// Where the engine runs when the user leaves "Run on" at Automatic, and the one sentence that says why.
// Pure: fed the adapter facts a probe read (GPUAdapterInfo), the user's setting, whether the model fits
// WebAssembly at all, and a remembered measurement; used by the engine worker (the decision) and the
// page (the device verdict, the panel), so both say the same thing.

/** What a WebGPU adapter says about itself (GPUAdapterInfo; empty strings when the browser hides them). */
export interface AdapterFacts {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** GPUAdapterInfo.isFallbackAdapter (older browsers: GPUAdapter.isFallbackAdapter), when the browser says. */
  isFallbackAdapter?: boolean;
}

export type Preference = 'auto' | 'webgpu' | 'wasm';
export type WebProviderName = 'webgpu' | 'wasm';

/** One UNet call timed on each backend on the same adapter (ms; the WebGPU one after a warm-up call). */
export interface BackendMeasurement {
  /** `adapterKey` of the adapter the WebGPU time was taken on. */
  adapterKey: string;
  webgpuMs: number;
  wasmMs: number;
}

export type ChoiceReason =
  /** The user chose the backend in "Run on". */
  | 'chosen'
  /** No adapter (or no navigator.gpu). */
  | 'no-webgpu'
  /** A software adapter (SwiftShader, llvmpipe, WARP…): WebAssembly is far faster. */
  | 'software-adapter'
  /** A software adapter, but WebAssembly cannot run this model (fp16, memory): WebGPU anyway. */
  | 'software-only'
  /** A hardware adapter and nothing remembered: the load measures one UNet call on each backend. */
  | 'measure'
  /** The faster one by a measurement (this load's or a remembered one). */
  | 'measured'
  /** A hardware adapter and WebAssembly cannot run this model: WebGPU without measuring. */
  | 'wasm-unfit'
  /** WebGPU was tried and its sessions failed: WebAssembly instead. */
  | 'webgpu-failed';

export interface BackendChoice {
  provider: WebProviderName;
  reason: ChoiceReason;
  adapter?: AdapterFacts;
  /** The software renderer's name ('SwiftShader', …) when the adapter is one. */
  software?: string;
  measurement?: BackendMeasurement;
  /** The measurement was taken by this load (not read from memory). */
  fresh?: boolean;
  /** Why WebGPU is missing or failed (reasons 'no-webgpu', 'webgpu-failed'). */
  detail?: string;
}

export interface ChoiceInput {
  preference: Preference;
  /** The adapter's facts; undefined when there is none. */
  adapter?: AdapterFacts;
  /** Why there is no adapter (shown with 'no-webgpu'). */
  unavailable?: string;
  /** WebAssembly can run this model (not fp16, fits the wasm heap). */
  wasmViable: boolean;
  /** A measurement remembered for this model; used only when taken on this adapter. */
  remembered?: BackendMeasurement;
}

/** Known software (CPU) WebGPU implementations, matched in vendor / architecture / device / description. */
const SOFTWARE_RENDERERS: readonly [RegExp, string][] = [
  [/swift\s*shader/i, 'SwiftShader'],
  [/llvmpipe/i, 'llvmpipe'],
  [/lavapipe/i, 'lavapipe'],
  [/softpipe/i, 'softpipe'],
  [/basic render driver/i, 'Microsoft Basic Render Driver'],
  [/\bwarp\b/i, 'WARP'],
];

/** SwiftShader vs wasm per UNet call on the toy model (docs/engine.md, "Measured": ≈ 7 s vs ≈ 0.1–0.14 s). */
export const SWIFTSHADER_SLOWDOWN = 40;

/** The software renderer's name when the adapter is a CPU implementation, else undefined. */
export function softwareAdapterName(adapter: AdapterFacts): string | undefined {
  const text = [adapter.vendor, adapter.architecture, adapter.device, adapter.description].join(' ');
  for (const [pattern, name] of SOFTWARE_RENDERERS) if (pattern.test(text)) return name;
  return adapter.isFallbackAdapter === true ? 'a fallback adapter' : undefined;
}

/** "nvidia · ampere", "google · swiftshader"; "unnamed adapter" when the browser tells nothing. */
export function adapterLabel(adapter: AdapterFacts): string {
  const parts = [adapter.vendor, adapter.architecture, adapter.description || adapter.device].filter((p) => p !== '');
  return parts.length > 0 ? parts.join(' · ') : 'unnamed adapter';
}

/** The identity a measurement is remembered under (same vendor, architecture, device and description). */
export function adapterKey(adapter: AdapterFacts): string {
  return [adapter.vendor, adapter.architecture, adapter.device, adapter.description].join('|');
}

/** The faster backend of a measurement; a tie goes to WebGPU (it leaves the CPU free). */
export function measuredWinner(m: Pick<BackendMeasurement, 'webgpuMs' | 'wasmMs'>): WebProviderName {
  return m.wasmMs < m.webgpuMs ? 'wasm' : 'webgpu';
}

/** The decision before any session exists ('measure': the caller times both backends, then `afterMeasuring`). */
export function chooseBackend(input: ChoiceInput): BackendChoice {
  const { adapter } = input;
  const software = adapter && softwareAdapterName(adapter);
  if (input.preference !== 'auto') return { provider: input.preference, reason: 'chosen', adapter, ...(software ? { software } : {}) };
  if (!adapter) return { provider: 'wasm', reason: 'no-webgpu', detail: input.unavailable };
  if (software) return input.wasmViable ? { provider: 'wasm', reason: 'software-adapter', adapter, software } : { provider: 'webgpu', reason: 'software-only', adapter, software };
  if (!input.wasmViable) return { provider: 'webgpu', reason: 'wasm-unfit', adapter };
  const remembered = input.remembered;
  if (remembered && remembered.adapterKey === adapterKey(adapter) && validMeasurement(remembered)) {
    return { provider: measuredWinner(remembered), reason: 'measured', adapter, measurement: remembered };
  }
  return { provider: 'webgpu', reason: 'measure', adapter };
}

/** The choice once both backends were timed on `adapter`. */
export function afterMeasuring(adapter: AdapterFacts, timings: { webgpuMs: number; wasmMs: number }): BackendChoice {
  const measurement: BackendMeasurement = { adapterKey: adapterKey(adapter), webgpuMs: timings.webgpuMs, wasmMs: timings.wasmMs };
  return { provider: measuredWinner(measurement), reason: 'measured', adapter, measurement, fresh: true };
}

/**
 * A first (cold) wasm call is at most this many times slower than a warm one; a cold call slower than
 * the warm WebGPU call by more than this settles the race without a second wasm call.
 */
export const WASM_COLD_MARGIN = 3;

/**
 * Times one UNet call on each backend, cheaply and fairly: WebGPU once to warm up (shader compilation)
 * and once timed; wasm once cold. A cold wasm call faster than the warm WebGPU one wins outright (warm
 * is only faster), one more than WASM_COLD_MARGIN× slower loses outright; otherwise a second, warm
 * wasm call decides. `calls` counts the UNet calls made.
 */
export async function measureBackends(webgpuCall: () => Promise<number>, wasmCall: () => Promise<number>): Promise<{ webgpuMs: number; wasmMs: number; calls: number }> {
  await webgpuCall();
  const webgpuMs = await webgpuCall();
  const cold = await wasmCall();
  if (cold < webgpuMs || cold > WASM_COLD_MARGIN * webgpuMs) return { webgpuMs, wasmMs: cold, calls: 3 };
  return { webgpuMs, wasmMs: await wasmCall(), calls: 4 };
}

/** A remembered value read back from storage: positive, finite times and a key, or undefined. */
export function validMeasurement(value: unknown): value is BackendMeasurement {
  if (typeof value !== 'object' || value === null) return false;
  const m = value as Record<string, unknown>;
  const time = (v: unknown) => typeof v === 'number' && Number.isFinite(v) && v > 0;
  return typeof m.adapterKey === 'string' && time(m.webgpuMs) && time(m.wasmMs);
}

function ratio(slow: number, fast: number): string {
  const r = slow / fast;
  return `${r < 10 ? r.toFixed(1) : r.toFixed(0)}×`;
}

const NAME: Record<WebProviderName, string> = { webgpu: 'WebGPU', wasm: 'WebAssembly' };

/** The one sentence the panel and the device verdict show: which backend runs and why. */
export function describeChoice(choice: BackendChoice): string {
  const gpu = choice.adapter ? `WebGPU (${adapterLabel(choice.adapter)})` : 'WebGPU';
  const runs = `Runs on ${choice.provider === 'webgpu' ? gpu : 'WebAssembly'}`;
  const slower = choice.software === 'SwiftShader' ? `about ${SWIFTSHADER_SLOWDOWN}× slower` : 'far slower';
  switch (choice.reason) {
    case 'chosen':
      if (choice.provider === 'webgpu' && choice.software) {
        return `${runs}: chosen in "Run on", but this adapter is software (${choice.software}), ${slower} than WebAssembly, which Automatic would use.`;
      }
      return `${runs}: chosen in "Run on" (Automatic would decide by itself).`;
    case 'no-webgpu':
      return `${runs}: this browser offers no WebGPU adapter${choice.detail ? ` (${choice.detail})` : ''}.`;
    case 'software-adapter':
      return `${runs}: this browser's WebGPU adapter is software (${choice.software}), which is ${slower}.`;
    case 'software-only':
      return `${runs}: its adapter is software (${choice.software}), ${slower} than a GPU, but WebAssembly cannot run this model.`;
    case 'measure':
      return `${runs} or WebAssembly, whichever is faster: the first load times one UNet call on each and remembers the winner.`;
    case 'wasm-unfit':
      return `${runs}: WebAssembly cannot run this model.`;
    case 'webgpu-failed':
      return `${runs}: WebGPU failed${choice.detail ? ` (${choice.detail})` : ''}.`;
    case 'measured': {
      const m = choice.measurement;
      if (!m) return `${runs}: measured faster on this device.`;
      const [fast, slow] = choice.provider === 'webgpu' ? [m.webgpuMs, m.wasmMs] : [m.wasmMs, m.webgpuMs];
      const other = choice.provider === 'webgpu' ? 'WebAssembly' : NAME.webgpu + (choice.adapter ? ` (${adapterLabel(choice.adapter)})` : '');
      return `${runs}: measured ${ratio(slow, fast)} faster than ${other} on this device (one UNet call: ${fast.toFixed(0)} ms vs ${slow.toFixed(0)} ms).`;
    }
  }
}
