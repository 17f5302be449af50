/**
 * The generation engine in a real module worker of headless Chromium: the toy model makes a swap edit
 * on wasm equal to the Node backend's, on WebGPU (SwiftShader) equal to wasm; events in order; cancel.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { generate, type GenerateResult } from '../src/diffusion';
import { loadNodeModel } from '../src/runtime/nodeModel';
import { REPO_ROOT } from '../tests/helpers/fixtures';
import type { EngineGenerateRequest, ProviderPreference, StepGpuReads } from '../workers/protocol';
import type {} from '../src/app/studioHook';
import { toySwap } from '../tests/helpers/toyModel';

// The embedded toy model, else a `train.py --smoke` export served from public/dev-model (docs/engine.md).
const MODEL = ['models/toy-shapes', 'dev-model'].find((m) => existsSync(join(REPO_ROOT, 'public', m, 'unet/model.onnx')));

const SWAP: EngineGenerateRequest = toySwap(5);

interface PageRun {
  backend: string;
  fallbackReason?: string;
  loadMs: number;
  runMs: number;
  order: string[];
  labels: string[];
  images: number[][];
  attention: number[][];
  cancelled: string | null;
  /** Stage timings of the compared run (ms). */
  timings: Record<string, number>;
  latentsOnDevice: boolean;
  /** The last attention event's heatmap tiles per prompt and token. */
  tiles: number[][][];
  /** GPU→CPU reads per step of the main phase (e2e builds count them). */
  gpuReads?: StepGpuReads[];
}

/** Loads the model in a fresh engine worker and runs `request` (after a cancelled run when `cancelAt`). */
function runInPage(page: Page, args: { provider: ProviderPreference; request: EngineGenerateRequest; cancelAt?: number }): Promise<PageRun> {
  return page.evaluate(
    async (a) => {
      const engine = window.__studio!.createEngine();
      try {
        const t0 = performance.now();
        const ready = await engine.load(a.baseUrl, { provider: a.provider });
        const t1 = performance.now();
        let cancelled: string | null = null;
        if (a.cancelAt) {
          const controller = new AbortController();
          const onProgress = (e: { call: number }) => e.call === a.cancelAt && controller.abort();
          await engine.generate({ ...a.request, steps: 30 }, { signal: controller.signal, onProgress }).catch((e: { code?: string }) => (cancelled = e.code ?? 'unknown'));
        }
        const order: string[] = [];
        const attention: number[][] = [];
        const tiles: number[][][] = [];
        const out = await engine.generate(a.request, {
          onProgress: () => order.push('progress'),
          onPreview: () => order.push('preview'),
          onAttention: (e) => {
            order.push('attention');
            attention[e.prompt] = Array.from(e.maps);
            tiles[e.prompt] = e.tiles.map((t) => Array.from(t));
          },
          onImage: () => order.push('image'),
        });
        return {
          backend: ready.backend,
          fallbackReason: ready.fallbackReason,
          loadMs: t1 - t0,
          runMs: performance.now() - t1,
          order,
          labels: out.images.map((i) => i.label),
          images: out.images.map((i) => Array.from(i.rgba)),
          attention,
          tiles,
          cancelled,
          timings: { ...out.done.timings },
          latentsOnDevice: out.done.latentsOnDevice,
          gpuReads: out.done.gpuReads,
        };
      } finally {
        engine.terminate();
      }
    },
    { ...args, baseUrl: `/${MODEL}/` },
  );
}

/** Largest channel difference (RGB, in 1/255) and the share of channel values within `tol`. */
function compareImages(a: number[][], b: ArrayLike<number>[], tol: number): { max: number; within: number } {
  let max = 0;
  let ok = 0;
  let n = 0;
  a.forEach((img, p) => {
    for (let i = 0; i < img.length; i++) {
      if (i % 4 === 3) continue;
      const d = Math.abs(img[i] - b[p][i]);
      max = Math.max(max, d);
      ok += d <= tol ? 1 : 0;
      n += 1;
    }
  });
  return { max, within: ok / n };
}

const fmt = (t: Record<string, number>): string => Object.entries(t).map(([k, v]) => `${k} ${v.toFixed(0)}`).join(', ');

function maxRelDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let max = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    max = Math.max(max, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return max / scale;
}

test.describe('generation engine in a worker', () => {
  test.skip(!MODEL, 'no toy model: public/models/toy-shapes or public/dev-model (docs/engine.md)');

  test('wasm: a swap edit equals the Node backend, events in order, cancel then a new run', async ({ page }) => {
    test.setTimeout(120_000);
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));
    await page.goto('/');
    const web = await runInPage(page, { provider: 'wasm', request: SWAP, cancelAt: 2 });

    const model = await loadNodeModel(join(REPO_ROOT, 'public', MODEL!), { instrument: true, threads: 1 });
    let node: GenerateResult;
    try {
      node = await generate(model, SWAP);
    } finally {
      await model.dispose();
    }

    expect(web.backend).toBe('wasm');
    expect(web.cancelled).toBe('cancelled');
    expect(web.labels).toEqual(['source', 'edit 1']);
    const { order } = web;
    expect(order.filter((t) => t === 'progress')).toHaveLength(SWAP.steps + 1);
    expect(order[0]).toBe('progress');
    expect(order.lastIndexOf('progress')).toBeLessThan(order.indexOf('image'));
    expect(order.lastIndexOf('attention')).toBeLessThan(order.indexOf('image'));
    expect(order.slice(-2)).toEqual(['image', 'image']);

    // Same fp32 graphs on two CPU kernel libraries (MLAS native vs wasm SIMD): summation order differs
    // at ~1e-7 relative; after 6 UNet calls and the VAE, truncation to uint8 may move a value by 1.
    const images = compareImages(web.images, node.images, 2);
    console.log(`wasm vs node: max ${images.max}/255, within 2/255: ${(images.within * 100).toFixed(3)}%; load ${web.loadMs.toFixed(0)} ms; timings ${fmt(web.timings)}`);
    expect(images.max).toBeLessThanOrEqual(2);
    const per = node.attention!.maps.length / 2;
    const attn = Math.max(...web.attention.map((m, p) => maxRelDiff(m, node.attention!.maps.subarray(p * per, (p + 1) * per))));
    expect(attn).toBeLessThan(1e-3);
    expect(errors).toEqual([]);
  });

  test('WebGPU (SwiftShader, 2 steps) equals wasm', async ({ page }) => {
    test.setTimeout(150_000);
    await page.goto('/');
    // With LocalBlend and a preview after every step: the WebGPU run keeps its latents on the GPU
    // (guidance, scheduler and LocalBlend as WGSL kernels), wasm on the CPU (their twins).
    const request = { ...SWAP, steps: 2, previewEvery: 1, edit: { ...SWAP.edit!, localBlend: { words: [['circle'], ['square']], threshold: 0.3 } } };
    const gpu = await runInPage(page, { provider: 'webgpu', request });
    const wasm = await runInPage(page, { provider: 'wasm', request });
    expect(gpu.backend).toBe('webgpu');
    expect(gpu.latentsOnDevice).toBe(true);
    expect(wasm.latentsOnDevice).toBe(false);
    expect(gpu.order.filter((t) => t === 'preview')).toHaveLength(wasm.order.filter((t) => t === 'preview').length);
    const images = compareImages(gpu.images, wasm.images.map((i) => Uint8Array.from(i)), 2);
    console.log(`webgpu vs wasm: max ${images.max}/255, within 2/255: ${(images.within * 100).toFixed(3)}%; webgpu load ${gpu.loadMs.toFixed(0)} ms, timings ${fmt(gpu.timings)}; wasm timings ${fmt(wasm.timings)}`);
    expect(images.within).toBeGreaterThanOrEqual(0.99);
    expect(images.max).toBeLessThanOrEqual(8);
    const per = wasm.attention[0].length;
    expect(maxRelDiff(gpu.attention.flat(), wasm.attention.flat())).toBeLessThan(1e-3);
    // Heatmap tiles: WGSL kernel on WebGPU, CPU twin on wasm, from maps within 1e-3: within 2 grey levels.
    expect(gpu.tiles.map((p) => p.length)).toEqual(wasm.tiles.map((p) => p.length));
    expect(gpu.tiles.flat(2).length).toBeGreaterThan(0);
    const tileDiff = Math.max(...gpu.tiles.flat(2).map((v, i) => Math.abs(v - wasm.tiles.flat(2)[i])));
    expect(tileDiff).toBeLessThanOrEqual(2);
    expect(per).toBeGreaterThan(0);
  });

  test('WebGPU reads nothing back between previews: latents, attention store and LocalBlend stay on the GPU (Euler, equal to wasm)', async ({ page }) => {
    test.setTimeout(150_000);
    await page.goto('/');
    // Previews every 2nd step; attention updates default to the previews' cadence on WebGPU (no attentionEvery);
    // LocalBlend reads the attention sum on the GPU every step. Euler: the sample kernel scales the UNet's input.
    const request = { ...SWAP, steps: 4, scheduler: 'euler' as const, previewEvery: 2, edit: { ...SWAP.edit!, localBlend: { words: [['circle'], ['square']], threshold: 0.3 } } };
    const gpu = await runInPage(page, { provider: 'webgpu', request });
    expect(gpu.backend).toBe('webgpu');
    expect(gpu.latentsOnDevice).toBe(true);
    const reads = gpu.gpuReads!;
    console.log(`GPU reads per step: ${reads.map((r) => `${r.step}: compute ${r.compute}, callbacks ${r.callbacks}${r.preview ? ' (preview)' : ''}${r.attention ? ' (attention)' : ''}`).join('; ')}`);
    expect(reads.map((r) => r.step)).toEqual([0, 1, 2, 3]);
    expect(reads.map((r) => [r.preview, r.attention])).toEqual(reads.map((r) => [(r.step + 1) % 2 === 0, (r.step + 1) % 2 === 0]));
    // Step 0's compute includes the text encoder's output; after it, UNet calls, guidance, scheduler, attention
    // store and LocalBlend read nothing back.
    for (const r of reads.slice(1)) expect(r.compute, `step ${r.step}`).toBe(0);
    for (const r of reads.filter((x) => !x.preview && !x.attention)) expect(r.callbacks, `step ${r.step}`).toBe(0);
    // A preview reads the latents and an attention update the maps (and its heatmap tiles): the counter counts.
    for (const r of reads.filter((x) => x.preview)) expect(r.callbacks, `step ${r.step}`).toBeGreaterThanOrEqual(2);
    expect(gpu.order.filter((t) => t === 'preview')).toHaveLength(2 * 2);
    expect(gpu.images.length).toBe(2);
    const wasm = await runInPage(page, { provider: 'wasm', request });
    expect(wasm.latentsOnDevice).toBe(false);
    const images = compareImages(gpu.images, wasm.images.map((i) => Uint8Array.from(i)), 2);
    console.log(`Euler webgpu vs wasm: max ${images.max}/255, within 2/255: ${(images.within * 100).toFixed(3)}%`);
    expect(images.within).toBeGreaterThanOrEqual(0.99);
    expect(images.max).toBeLessThanOrEqual(8);
  });

  test('WebGPU low-memory mode (two batch-P calls per step) keeps the latents on the GPU, reads nothing between previews, equals wasm', async ({ page }) => {
    test.setTimeout(150_000);
    await page.goto('/');
    const request = { ...SWAP, steps: 2, lowMemory: true, previewEvery: 2 };
    const gpu = await runInPage(page, { provider: 'webgpu', request });
    expect(gpu.latentsOnDevice).toBe(true);
    const reads = gpu.gpuReads!;
    console.log(`low-memory GPU reads per step: ${reads.map((r) => `${r.step}: compute ${r.compute}, callbacks ${r.callbacks}`).join('; ')}`);
    for (const r of reads.slice(1)) expect(r.compute, `step ${r.step}`).toBe(0);
    const wasm = await runInPage(page, { provider: 'wasm', request });
    expect(wasm.latentsOnDevice).toBe(false);
    const images = compareImages(gpu.images, wasm.images.map((i) => Uint8Array.from(i)), 2);
    console.log(`low-memory webgpu vs wasm: max ${images.max}/255, within 2/255: ${(images.within * 100).toFixed(3)}%`);
    expect(images.within).toBeGreaterThanOrEqual(0.99);
    expect(images.max).toBeLessThanOrEqual(8);
  });
});
