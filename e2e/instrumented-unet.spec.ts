/**
 * In headless Chromium, a module worker instruments the embedded toy UNet and onnxruntime-web runs
 * it with a Prompt-to-Prompt edit on WebGPU (SwiftShader) and on wasm: the outputs agree.
 */
import { expect, test } from '@playwright/test';
import type {} from '../src/app/studioHook';

test('the instrumented toy UNet gives the same outputs on WebGPU and wasm', async ({ page }) => {
  test.setTimeout(240_000);
  await page.goto('/');
  const result = await page.evaluate(async () => {
    const cfg = (await (await fetch('/models/toy-shapes/p2p.json')).json()) as {
      latentSize: number;
      mapResolution: number;
      selfMaxQuery: number;
    };
    const r = await window.__studio!.checkUnet({
      url: '/models/toy-shapes/unet/model.onnx',
      prompts: 2,
      latent: [cfg.latentSize, cfg.latentSize],
      mapResolution: cfg.mapResolution,
      selfMaxQuery: cfg.selfMaxQuery,
    });
    const diff = (a: Float32Array, b: Float32Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);
    const [gpu, wasm] = r.runs;
    return {
      providers: r.runs.map((x) => x.provider),
      edited: r.report.counts.edited,
      sampleDiff: diff(gpu.outSample, wasm.outSample),
      attnDiff: diff(gpu.attn, wasm.attn),
      sizes: [gpu.outSample.length, wasm.attn.length],
      attnSum: wasm.attn.reduce((s, v) => s + v, 0),
    };
  });
  expect(result.providers).toEqual(['webgpu', 'wasm']);
  expect(result.edited).toBeGreaterThan(0);
  expect(result.sizes[0]).toBeGreaterThan(0);
  expect(result.attnSum).toBeGreaterThan(0);
  expect(result.sampleDiff).toBeLessThan(1e-4);
  expect(result.attnDiff).toBeLessThan(1e-4);
});
