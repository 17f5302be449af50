// Capability verdicts for the registry's models on described devices: WebGPU, shader-f16, buffer
// limits against the batch's attention scores, a memory estimate, and the alternatives offered.

import { describe, expect, it } from 'vitest';
import { batchSize, capabilitiesFromProbe, checkCapabilities, estimateMemory, type DeviceCapabilities } from './capabilities';
import { SD15_FP16_EXTERNAL, TOY_MODEL } from './registry';

const GiB = 2 ** 30;
const desktop: DeviceCapabilities = { webgpu: true, features: ['shader-f16'], limits: { maxBufferSize: 4 * GiB, maxStorageBufferBindingSize: 2 * GiB }, deviceMemoryGiB: 8 };
const twoPrompts = { prompts: 2, lowMemory: false };

describe('checkCapabilities', () => {
  it('batch is prompts × 2, or prompts in low-memory mode', () => {
    expect(batchSize(twoPrompts)).toBe(4);
    expect(batchSize({ prompts: 3, lowMemory: true })).toBe(3);
  });

  it('SD 1.5 fp16 at 512 px: the batch-4 self-attention scores are 1 GiB (8 heads × 4096² × 2 bytes × 4)', () => {
    const est = estimateMemory(SD15_FP16_EXTERNAL.requirements, 'fp16', 4);
    expect(est.largestTensorBytes).toBe(4 * 8 * 4096 * 4096 * 2);
    expect(est.totalBytes).toBeGreaterThan(est.weightBytes);
  });

  it('runs SD 1.5 fp16 on a desktop GPU with shader-f16', () => {
    const v = checkCapabilities(SD15_FP16_EXTERNAL, desktop, twoPrompts);
    expect(v).toMatchObject({ status: 'ok', provider: 'webgpu', alternatives: [] });
  });

  it('blocks fp16 without WebGPU and offers the toy model', () => {
    const v = checkCapabilities(SD15_FP16_EXTERNAL, { webgpu: false, features: [] }, twoPrompts);
    expect(v.status).toBe('blocked');
    expect(v.message).toMatch(/needs WebGPU/);
    expect(v.alternatives.map((a) => a.kind)).toEqual(['toy-model']);
  });

  it('blocks fp16 without shader-f16', () => {
    const v = checkCapabilities(SD15_FP16_EXTERNAL, { ...desktop, features: [] }, twoPrompts);
    expect(v.status).toBe('blocked');
    expect(v.message).toMatch(/shader-f16/);
  });

  it('a buffer limit below the batch scores blocks the plan and offers low-memory mode', () => {
    const small = { ...desktop, limits: { maxBufferSize: GiB, maxStorageBufferBindingSize: 0.75 * GiB } };
    const v = checkCapabilities(SD15_FP16_EXTERNAL, small, twoPrompts);
    expect(v.status).toBe('blocked');
    expect(v.reasons[0]).toMatch(/buffer limit/);
    expect(v.alternatives.map((a) => a.kind)).toEqual(['low-memory', 'toy-model']);
    expect(checkCapabilities(SD15_FP16_EXTERNAL, small, { prompts: 2, lowMemory: true }).status).toBe('ok');
  });

  it('too many prompts for the memory estimate warns and suggests fewer prompts or low-memory', () => {
    const v = checkCapabilities(SD15_FP16_EXTERNAL, desktop, { prompts: 4, lowMemory: false });
    expect(v.status).toBe('warn');
    expect(v.message).toMatch(/may not fit/);
    expect(v.alternatives.map((a) => a.kind)).toEqual(['low-memory', 'fewer-prompts', 'toy-model']);
  });

  it('the toy model runs anywhere, on wasm without WebGPU', () => {
    expect(checkCapabilities(TOY_MODEL, { webgpu: false, features: [] }, { prompts: 4, lowMemory: false })).toMatchObject({ status: 'ok', provider: 'wasm', alternatives: [] });
    expect(checkCapabilities(TOY_MODEL, { ...desktop, features: [] }, twoPrompts).status).toBe('ok');
  });

  it('without memory figures, a fitting model is ok with a note', () => {
    const v = checkCapabilities(SD15_FP16_EXTERNAL, { webgpu: true, features: ['shader-f16'] }, twoPrompts);
    expect(v.status).toBe('ok');
    expect(v.message).toMatch(/does not report memory/);
  });

  // What the probe worker reads in this machine's Debian Chromium 156 (SwiftShader; limits as reported there).
  const swiftshader = capabilitiesFromProbe(
    { vendor: 'google', architecture: 'swiftshader', device: '', description: '', isFallbackAdapter: true, features: ['float32-filterable'], maxBufferSize: 2 ** 30, maxStorageBufferBindingSize: 2 ** 30 },
    undefined,
    8,
  );

  it('capabilitiesFromProbe keeps the adapter facts apart from features and limits', () => {
    expect(swiftshader).toEqual({
      webgpu: true,
      adapter: { vendor: 'google', architecture: 'swiftshader', device: '', description: '', isFallbackAdapter: true },
      features: ['float32-filterable'],
      limits: { maxBufferSize: 2 ** 30, maxStorageBufferBindingSize: 2 ** 30 },
      deviceMemoryGiB: 8,
    });
    expect(capabilitiesFromProbe(undefined, 'navigator.gpu is missing')).toEqual({ webgpu: false, features: [], unavailable: 'navigator.gpu is missing' });
  });

  it('a software adapter: the verdict names wasm and why, as the engine will', () => {
    const v = checkCapabilities(TOY_MODEL, swiftshader, twoPrompts);
    expect(v).toMatchObject({ status: 'ok', provider: 'wasm', choice: { reason: 'software-adapter', software: 'SwiftShader' } });
    expect(v.message).toBe("Runs on WebAssembly: this browser's WebGPU adapter is software (SwiftShader), which is about 40× slower.");
    // fp16 cannot run on wasm, so WebGPU anyway — where SwiftShader's missing shader-f16 blocks it.
    expect(checkCapabilities(SD15_FP16_EXTERNAL, swiftshader, twoPrompts)).toMatchObject({ status: 'blocked', provider: 'webgpu', choice: { reason: 'software-only' } });
  });

  it('"Run on" WebAssembly while WebGPU exists says it was chosen, never "no WebGPU"', () => {
    const v = checkCapabilities(TOY_MODEL, desktop, twoPrompts, { preference: 'wasm' });
    expect(v).toMatchObject({ status: 'ok', provider: 'wasm' });
    expect(v.message).toBe('Runs on WebAssembly: chosen in "Run on" (Automatic would decide by itself).');
    expect(v.message).not.toMatch(/no WebGPU/i);
    expect(checkCapabilities(SD15_FP16_EXTERNAL, desktop, twoPrompts, { preference: 'wasm' }).message).toMatch(/needs WebGPU, and "Run on" is set to WebAssembly/);
  });

  it('"Run on" WebGPU without an adapter is blocked, with wasm offered', () => {
    const v = checkCapabilities(TOY_MODEL, { webgpu: false, features: [], unavailable: 'navigator.gpu is missing' }, twoPrompts, { preference: 'webgpu' });
    expect(v).toMatchObject({ status: 'blocked', alternatives: [{ kind: 'wasm' }] });
  });

  it('a hardware adapter: measured on the first load, then the remembered winner', () => {
    const nvidia = { ...desktop, adapter: { vendor: 'nvidia', architecture: 'ampere', device: '', description: '' } };
    expect(checkCapabilities(TOY_MODEL, nvidia, twoPrompts).choice.reason).toBe('measure');
    const remembered = { adapterKey: 'nvidia|ampere||', webgpuMs: 300, wasmMs: 100 };
    const v = checkCapabilities(TOY_MODEL, nvidia, twoPrompts, { remembered });
    expect(v).toMatchObject({ provider: 'wasm', choice: { reason: 'measured' } });
    expect(v.message).toMatch(/^Runs on WebAssembly: measured 3\.0× faster than WebGPU \(nvidia · ampere\)/);
  });
});
