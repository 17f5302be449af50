// The Automatic backend decision over adapter facts as browsers report them (the SwiftShader facts are
// what this machine's Debian Chromium 156 gives in a page and in a worker), the measured winner and the
// panel's sentence.

import { describe, expect, it } from 'vitest';
import {
  adapterKey,
  adapterLabel,
  afterMeasuring,
  chooseBackend,
  describeChoice,
  measureBackends,
  measuredWinner,
  softwareAdapterName,
  validMeasurement,
  WASM_COLD_MARGIN,
  type AdapterFacts,
} from './backendChoice';

/** Debian Chromium 156 headless, --enable-unsafe-webgpu (read with requestAdapter() here). */
const swiftshader: AdapterFacts = { vendor: 'google', architecture: 'swiftshader', device: '', description: '', isFallbackAdapter: true };
const llvmpipe: AdapterFacts = { vendor: 'mesa', architecture: '', device: '', description: 'llvmpipe (LLVM 15.0.6, 256 bits)' };
const basicRender: AdapterFacts = { vendor: 'microsoft', architecture: '', device: '', description: 'Microsoft Basic Render Driver' };
const unnamedFallback: AdapterFacts = { vendor: '', architecture: '', device: '', description: '', isFallbackAdapter: true };
const nvidia: AdapterFacts = { vendor: 'nvidia', architecture: 'ampere', device: '', description: '', isFallbackAdapter: false };
const intel: AdapterFacts = { vendor: 'intel', architecture: 'gen-12lp', device: '', description: '' };

describe('softwareAdapterName', () => {
  it('recognises SwiftShader, llvmpipe, the Basic Render Driver and an adapter flagged as fallback', () => {
    expect(softwareAdapterName(swiftshader)).toBe('SwiftShader');
    expect(softwareAdapterName({ ...swiftshader, isFallbackAdapter: undefined })).toBe('SwiftShader');
    expect(softwareAdapterName(llvmpipe)).toBe('llvmpipe');
    expect(softwareAdapterName(basicRender)).toBe('Microsoft Basic Render Driver');
    expect(softwareAdapterName(unnamedFallback)).toBe('a fallback adapter');
  });

  it('leaves hardware adapters alone', () => {
    expect(softwareAdapterName(nvidia)).toBeUndefined();
    expect(softwareAdapterName(intel)).toBeUndefined();
    // "warp" only as a word: an architecture name containing the letters is no match.
    expect(softwareAdapterName({ ...intel, description: 'Warpspeed Graphics' })).toBeUndefined();
  });
});

describe('chooseBackend', () => {
  it('Automatic never picks a software adapter when WebAssembly can run the model', () => {
    for (const adapter of [swiftshader, llvmpipe, basicRender, unnamedFallback]) {
      expect(chooseBackend({ preference: 'auto', adapter, wasmViable: true })).toMatchObject({ provider: 'wasm', reason: 'software-adapter' });
    }
  });

  it('a software adapter still runs what only WebGPU can (fp16, too big for the wasm heap)', () => {
    expect(chooseBackend({ preference: 'auto', adapter: swiftshader, wasmViable: false })).toMatchObject({ provider: 'webgpu', reason: 'software-only' });
  });

  it('the user can still choose either backend explicitly, software adapter or not', () => {
    expect(chooseBackend({ preference: 'webgpu', adapter: swiftshader, wasmViable: true })).toMatchObject({ provider: 'webgpu', reason: 'chosen' });
    expect(chooseBackend({ preference: 'wasm', adapter: nvidia, wasmViable: true })).toMatchObject({ provider: 'wasm', reason: 'chosen' });
  });

  it('no adapter: WebAssembly, with the reason', () => {
    const c = chooseBackend({ preference: 'auto', wasmViable: true, unavailable: 'navigator.gpu is missing' });
    expect(c).toMatchObject({ provider: 'wasm', reason: 'no-webgpu' });
    expect(describeChoice(c)).toBe('Runs on WebAssembly: this browser offers no WebGPU adapter (navigator.gpu is missing).');
  });

  it('a hardware adapter without a remembered measurement asks for one; WebGPU unmeasured when wasm cannot run the model', () => {
    expect(chooseBackend({ preference: 'auto', adapter: nvidia, wasmViable: true })).toMatchObject({ provider: 'webgpu', reason: 'measure' });
    expect(chooseBackend({ preference: 'auto', adapter: nvidia, wasmViable: false })).toMatchObject({ provider: 'webgpu', reason: 'wasm-unfit' });
  });

  it('a remembered measurement decides, but only on the adapter it was taken on', () => {
    const slowGpu = { adapterKey: adapterKey(intel), webgpuMs: 900, wasmMs: 600 };
    expect(chooseBackend({ preference: 'auto', adapter: intel, wasmViable: true, remembered: slowGpu })).toMatchObject({ provider: 'wasm', reason: 'measured' });
    // Another GPU (e.g. an eGPU plugged in since): measure again.
    expect(chooseBackend({ preference: 'auto', adapter: nvidia, wasmViable: true, remembered: slowGpu })).toMatchObject({ provider: 'webgpu', reason: 'measure' });
    // A corrupt record is ignored.
    expect(chooseBackend({ preference: 'auto', adapter: intel, wasmViable: true, remembered: { ...slowGpu, wasmMs: Number.NaN } })).toMatchObject({ reason: 'measure' });
  });
});

describe('measuring', () => {
  it('the faster backend wins; a tie goes to WebGPU', () => {
    expect(measuredWinner({ webgpuMs: 31, wasmMs: 96 })).toBe('webgpu');
    expect(measuredWinner({ webgpuMs: 140, wasmMs: 96 })).toBe('wasm');
    expect(measuredWinner({ webgpuMs: 96, wasmMs: 96 })).toBe('webgpu');
  });

  it('afterMeasuring keys the measurement by the adapter, and a remembered copy gives the same choice', () => {
    const fresh = afterMeasuring(nvidia, { webgpuMs: 31, wasmMs: 96 });
    expect(fresh).toMatchObject({ provider: 'webgpu', reason: 'measured', fresh: true, measurement: { adapterKey: 'nvidia|ampere||', webgpuMs: 31, wasmMs: 96 } });
    const stored = JSON.parse(JSON.stringify(fresh.measurement)) as unknown;
    expect(validMeasurement(stored)).toBe(true);
    if (!validMeasurement(stored)) return;
    const later = chooseBackend({ preference: 'auto', adapter: nvidia, wasmViable: true, remembered: stored });
    expect(later.provider).toBe('webgpu');
    expect(describeChoice(later)).toBe(describeChoice(fresh));
  });

  it('validMeasurement rejects what storage may hold that is not a measurement', () => {
    for (const v of [null, 3, 'x', {}, { adapterKey: 'a', webgpuMs: 0, wasmMs: 5 }, { adapterKey: 'a', webgpuMs: 5, wasmMs: Infinity }, { adapterKey: 1, webgpuMs: 5, wasmMs: 5 }]) {
      expect(validMeasurement(v)).toBe(false);
    }
  });
});

describe('describeChoice', () => {
  it('says which backend runs and why, in one sentence', () => {
    expect(describeChoice(chooseBackend({ preference: 'auto', adapter: swiftshader, wasmViable: true }))).toBe(
      "Runs on WebAssembly: this browser's WebGPU adapter is software (SwiftShader), which is about 40× slower.",
    );
    expect(describeChoice(afterMeasuring(nvidia, { webgpuMs: 31, wasmMs: 96 }))).toBe(
      'Runs on WebGPU (nvidia · ampere): measured 3.1× faster than WebAssembly on this device (one UNet call: 31 ms vs 96 ms).',
    );
    expect(describeChoice(afterMeasuring(intel, { webgpuMs: 900, wasmMs: 600 }))).toBe(
      'Runs on WebAssembly: measured 1.5× faster than WebGPU (intel · gen-12lp) on this device (one UNet call: 600 ms vs 900 ms).',
    );
    // Chosen on a software adapter: the sentence suggests switching.
    expect(describeChoice(chooseBackend({ preference: 'webgpu', adapter: swiftshader, wasmViable: true }))).toBe(
      'Runs on WebGPU (google · swiftshader): chosen in "Run on", but this adapter is software (SwiftShader), about 40× slower than WebAssembly, which Automatic would use.',
    );
    expect(describeChoice(chooseBackend({ preference: 'webgpu', adapter: nvidia, wasmViable: true }))).toBe('Runs on WebGPU (nvidia · ampere): chosen in "Run on" (Automatic would decide by itself).');
    expect(describeChoice(chooseBackend({ preference: 'auto', adapter: llvmpipe, wasmViable: false }))).toMatch(/^Runs on WebGPU \(mesa · llvmpipe.*software \(llvmpipe\).*WebAssembly cannot run this model\.$/);
  });

  it('labels adapters by what they report', () => {
    expect(adapterLabel(swiftshader)).toBe('google · swiftshader');
    expect(adapterLabel(unnamedFallback)).toBe('unnamed adapter');
  });
});

describe('measureBackends (injected timings: this machine has no hardware GPU)', () => {
  /** A backend whose successive calls take the given times; records how many were made. */
  const timer = (times: number[]) => {
    const made: number[] = [];
    return { made, call: async () => { const t = times[made.length]; made.push(t); return t; } };
  };

  it('times WebGPU after a warm-up call, so shader compilation does not count', async () => {
    const gpu = timer([5000, 30]);
    const wasm = timer([400]);
    const m = await measureBackends(gpu.call, wasm.call);
    expect(m).toEqual({ webgpuMs: 30, wasmMs: 400, calls: 3 });
    expect(gpu.made).toHaveLength(2);
    expect(afterMeasuring(nvidia, m).provider).toBe('webgpu');
  });

  it('a cold wasm call already faster than warm WebGPU wins without a second call', async () => {
    const wasm = timer([80, 60]);
    const m = await measureBackends(timer([900, 120]).call, wasm.call);
    expect(m).toEqual({ webgpuMs: 120, wasmMs: 80, calls: 3 });
    expect(wasm.made).toHaveLength(1);
    expect(afterMeasuring(intel, m).provider).toBe('wasm');
  });

  it('a close race takes a second, warm wasm call, and that one decides', async () => {
    const wasm = timer([150, 90]);
    const m = await measureBackends(timer([900, 100]).call, wasm.call);
    expect(m).toEqual({ webgpuMs: 100, wasmMs: 90, calls: 4 });
    expect(afterMeasuring(intel, m).provider).toBe('wasm');
    // The same cold call against a faster GPU: more than WASM_COLD_MARGIN× slower, no second call.
    expect(await measureBackends(timer([900, 150 / WASM_COLD_MARGIN - 1]).call, timer([150]).call)).toMatchObject({ calls: 3 });
  });
});
