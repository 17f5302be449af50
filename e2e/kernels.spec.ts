/**
 * The LocalBlend, heatmap, scheduler-step, accumulate and UNet-sample WGSL kernels (WebGPU on SwiftShader, in a module worker) against their
 * CPU twins (`localBlend`, `tokenHeatmaps` from src/p2p), on inputs shaped like a real edit.
 */
import { expect, test } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { applyLinearStep, createScheduler, guidance, type LinearStepPlan, type SchedulerName } from '../src/diffusion';
import { localBlend, tokenHeatmaps } from '../src/p2p';
import { accumulate } from '../src/diffusion/pipelineTensors';
import { fromHalf, toHalf } from '../src/runtime/float16';
import type {} from '../src/app/studioHook';

/** Deterministic pseudo-random values in [0, 1). */
function values(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  });
}

/** Attention-like maps `[P, R·R, K]` with a bright blob per prompt, so the masks are neither empty nor full. */
function blobMaps(P: number, R: number, K: number): Float32Array {
  const noise = values(P * R * R * K, 3);
  for (let p = 0; p < P; p++) {
    const [cy, cx] = [2 + p, R - 3 - p];
    for (let y = 0; y < R; y++) {
      for (let x = 0; x < R; x++) {
        const w = Math.exp(-((y - cy) ** 2 + (x - cx) ** 2) / 4);
        for (let k = 0; k < K; k++) noise[((p * R * R + y * R + x) * K) + k] *= 0.2 + 3 * w;
      }
    }
  }
  return noise;
}

test('LocalBlend and heatmap kernels equal their CPU twins', async ({ page }) => {
  test.setTimeout(120_000);
  const [P, C, H, W, R, K] = [3, 4, 16, 16, 8, 77];
  const latents = values(P * C * H * W, 1).map((v) => 2 * v - 1);
  const maps = blobMaps(P, R, K);
  const alphas = new Float32Array(P * K);
  for (let p = 0; p < P; p++) alphas[p * K + 2 + p] = 1;
  const threshold = 0.3;
  const dims: [number, number, number, number] = [P, C, H, W];
  await page.goto('/');
  const gpu = await page.evaluate(
    async ({ latents, maps, alphas, dims, R, K, threshold, P }) => {
      const r = await window.__studio!.checkKernels({
        localBlend: { latents: Float32Array.from(latents), maps: Float32Array.from(maps), alphas: Float32Array.from(alphas), dims, res: R, keys: K, threshold },
        heatmaps: { maps: Float32Array.from(maps), prompts: P, res: R, keys: K, count: 8 },
      });
      return { blended: Array.from(r.localBlend!), tiles: r.heatmaps!.map((prompt) => prompt.map((t) => Array.from(t))) };
    },
    { latents: Array.from(latents), maps: Array.from(maps), alphas: Array.from(alphas), dims, R, K, threshold, P },
  );

  const expected = localBlend(latents, dims, maps, R, alphas, threshold);
  const worst = gpu.blended.reduce((m, v, i) => Math.max(m, Math.abs(v - expected[i])), 0);
  expect(worst).toBeLessThan(1e-5);
  // The blend changed something and kept something: the masks were neither empty nor full.
  const changed = expected.filter((v, i) => v !== latents[i]).length;
  expect(changed).toBeGreaterThan(0);
  expect(changed).toBeLessThan((P - 1) * C * H * W);

  for (let p = 0; p < P; p++) {
    const cpu = tokenHeatmaps(maps.subarray(p * R * R * K, (p + 1) * R * R * K), R, K, 8);
    expect(gpu.tiles[p]).toHaveLength(cpu.length);
    cpu.forEach((tile, t) => {
      const levels = gpu.tiles[p][t];
      // Grey levels: equal, up to a rounding tie computed in f32 on the GPU and f64 on the CPU.
      const off = levels.filter((v, i) => Math.abs(v - tile[i]) > 0);
      expect(levels.every((v, i) => Math.abs(v - tile[i]) <= 1)).toBe(true);
      expect(off.length).toBeLessThanOrEqual(1);
      expect(Math.max(...levels)).toBe(255);
    });
  }
});

test('the accumulate kernel sums p2p_attn over calls like the CPU twin', async ({ page }) => {
  const steps = [0, 1, 2, 3, 4].map((k) => values(2 * 64 * 77, 200 + k));
  let expected: Float32Array | null = null;
  for (const s of steps) expected = accumulate(expected, s);
  await page.goto('/');
  const gpu = await page.evaluate(async (steps) => {
    const r = await window.__studio!.checkKernels({ accumulate: { steps: steps.map((s) => Float32Array.from(s)) } });
    return Array.from(r.accumulate!);
  }, steps.map((s) => Array.from(s)));
  expect(gpu).toHaveLength(expected!.length);
  // Five f32 additions in the same order on both sides: equal up to the last bit.
  expect(gpu.reduce((m, v, i) => Math.max(m, Math.abs(v - expected![i])), 0)).toBeLessThan(1e-6);
  expect(Math.max(...gpu)).toBeGreaterThan(1);
});

// DDIM with clip_sample: its plan clamps x̂₀ (large at early timesteps, so the clamp is active).
const PLAN_CASES: { name: SchedulerName; label: string; config?: Record<string, unknown> }[] = [
  { name: 'pndm', label: 'pndm' },
  { name: 'dpmpp-2m', label: 'dpmpp-2m' },
  { name: 'euler', label: 'euler' },
  { name: 'ddim', label: 'ddim with clip_sample', config: { clip_sample: true, clip_sample_range: 1 } },
];
for (const { name, label, config: overrides } of PLAN_CASES) {
  test(`the guided scheduler-step kernel follows ${label}'s plans like the CPU twin`, async ({ page }) => {
    test.setTimeout(120_000);
    const config = { ...(JSON.parse(readFileSync('public/models/toy-shapes/scheduler/scheduler_config.json', 'utf8')) as Record<string, unknown>), ...overrides };
    const scheduler = createScheduler(name, config);
    scheduler.setTimesteps(8);
    const count = 2 * 4 * 8 * 8;
    const scale = 7.5;
    const x = values(count, 5).map((v) => 2 * v - 1);
    const noises = scheduler.timesteps.map((_, k) => values(2 * count, 100 + k).map((v) => 2 * v - 1));
    const plans: LinearStepPlan[] = scheduler.timesteps.map((t) => scheduler.linearPlan(t));
    // CPU twin: guidance, then the same plans.
    const slots = new Map<number, Float32Array>();
    let latent: Float32Array = x;
    const expected = plans.map((plan, k) => (latent = applyLinearStep(plan, latent, guidance(noises[k].subarray(0, count), noises[k].subarray(count), scale), slots)));

    await page.goto('/');
    const gpu = await page.evaluate(
      async ({ plans, x, noises, scale }) => {
        const r = await window.__studio!.checkKernels({ linearSteps: { plans, x: Float32Array.from(x), noises: noises.map((n) => Float32Array.from(n)), scale } });
        return r.linearSteps!.map((l) => Array.from(l));
      },
      { plans, x: Array.from(x), noises: noises.map((n) => Array.from(n)), scale },
    );
    expect(gpu).toHaveLength(plans.length);
    gpu.forEach((step, k) => {
      const size = Math.max(1, ...expected[k].map(Math.abs));
      const worst = step.reduce((m, v, i) => Math.max(m, Math.abs(v - expected[k][i])), 0);
      expect(worst / size, `step ${k}`).toBeLessThan(1e-5);
    });
    // The trajectory moved: the kernels did the work.
    expect(Math.max(...expected[plans.length - 1].map((v, i) => Math.abs(v - x[i])))).toBeGreaterThan(0.1);
  });
}

test('the UNet-sample kernels write [x/d; x/d] as float32 and packed float16, and widen float16 outputs, like the CPU twins', async ({ page }) => {
  const count = 2 * 4 * 8 * 8;
  // Latent-like values (σ-scaled noise) and Euler's first divisor √(σ_max² + 1) for SD's schedule.
  const x = values(count, 31).map((v) => 28 * (v - 0.5));
  const divisor = Math.fround(Math.sqrt(14.6146 ** 2 + 1));
  const halves = toHalf(values(count, 32).map((v) => 8 * (v - 0.5)));
  await page.goto('/');
  const run = (type: 'float32' | 'float16') =>
    page.evaluate(
      async ({ x, divisor, type, halves }) => {
        const r = await window.__studio!.checkKernels({ unetSample: { x: Float32Array.from(x), divisor, type, halves: Uint16Array.from(halves) } });
        return { sample: Array.from(r.unetSample!.sample), unpacked: Array.from(r.unetSample!.unpacked!) };
      },
      { x: Array.from(x), divisor, type, halves: Array.from(halves) },
    );
  const scaled = Array.from(x, (v) => Math.fround(v / divisor));
  const f32 = await run('float32');
  expect(f32.sample).toHaveLength(2 * count);
  // WGSL's f32 division is within 2.5 ulp.
  f32.sample.forEach((v, i) => expect(Math.abs(v - scaled[i % count])).toBeLessThanOrEqual(3e-7 * Math.max(1, Math.abs(scaled[i % count]))));
  const f16 = await run('float16');
  expect(f16.sample).toHaveLength(2 * count);
  // pack2x16float may round either way: within one float16 ulp of the nearest (toHalf) value.
  const wide = fromHalf(f16.sample);
  const nearest = fromHalf(toHalf(scaled));
  wide.forEach((v, i) => expect(Math.abs(v - nearest[i % count])).toBeLessThanOrEqual(Math.max(2 ** -24, Math.abs(nearest[i % count]) * 2 ** -10)));
  expect(wide.slice(0, count)).toEqual(wide.slice(count));
  // Widening float16 is exact.
  expect(f16.unpacked).toEqual(Array.from(fromHalf(halves)));
});
