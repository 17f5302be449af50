/**
 * The harness every WebGPU feature stands on: the built app, in Debian's headless Chromium, gets a
 * WebGPU adapter inside a module worker and runs a WGSL kernel whose output matches its CPU twin.
 */
import { expect, test } from '@playwright/test';
import { guidance } from '../src/diffusion/guidance';
import type {} from '../src/app/studioHook';

test('a module worker runs the guidance WGSL kernel on WebGPU and matches the CPU twin', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  await page.goto('/');
  await expect(page.getByRole('heading', { name: 'Prompt-to-Prompt Studio' })).toBeVisible();
  expect(await page.evaluate(() => self.crossOriginIsolated)).toBe(true);

  const result = await page.evaluate(async () => {
    const r = await window.__studio!.probeGpu(8192, 7.5);
    return { ...r, uncond: Array.from(r.uncond), cond: Array.from(r.cond), output: Array.from(r.output) };
  });
  expect(result.inWorker).toBe(true);
  expect(result.output).toHaveLength(8192);
  const expected = guidance(Float32Array.from(result.uncond), Float32Array.from(result.cond), result.scale);
  let worst = 0;
  result.output.forEach((v: number, i: number) => (worst = Math.max(worst, Math.abs(v - expected[i]))));
  expect(worst).toBeLessThan(1e-5);
  // The UI shows the same check to the user.
  await expect(page.getByTestId('gpu-status')).toContainText('WebGPU ready in a worker', { timeout: 30_000 }); // the probe's own worker
  expect(errors).toEqual([]);
});
