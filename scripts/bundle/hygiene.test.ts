/**
 * Production bundle hygiene: `vite build` without P2P_TEST_HOOKS leaves out the e2e test hook (window.__studio)
 * and the workers only it reaches, and keeps the GPU probe worker the app's device probe needs; the e2e build
 * (P2P_TEST_HOOKS=1, as playwright.config.ts builds) has all of them. Both are real builds into temporary folders.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { buildSite, REPO_ROOT } from './build';
import { listBuild, TEST_ONLY, testHookTraces, workerChunks, type BuiltFile } from './inspect';

const temp = mkdtempSync(join(tmpdir(), 'p2p-hygiene-'));
const builds: Record<'production' | 'e2e', { dir: string; files: BuiltFile[] }> = {
  production: { dir: join(temp, 'production'), files: [] },
  e2e: { dir: join(temp, 'e2e'), files: [] },
};

beforeAll(() => {
  for (const [name, b] of Object.entries(builds)) {
    buildSite(b.dir, { testHooks: name === 'e2e' });
    b.files = listBuild(b.dir, join(REPO_ROOT, 'public'));
  }
}, 120_000);
afterAll(() => rmSync(temp, { recursive: true, force: true }));

const pageCode = (b: { dir: string; files: BuiltFile[] }) =>
  b.files.filter((f) => /^assets\/index-[\w-]+\.js$/.test(f.path)).map((f) => readFileSync(join(b.dir, f.path), 'utf8')).join('\n');

describe('production build', () => {
  test('has no test hook strings and no test-only worker chunks', () => {
    const traces = testHookTraces(builds.production.dir, builds.production.files);
    expect(traces).toEqual({ strings: [], workers: [] });
    expect(workerChunks(builds.production.files).sort()).toEqual(['engine.worker', 'gpu-probe.worker', 'tokenizer.worker']);
  });

  test('the GPU probe worker runs the probe and nothing of the kernel checks', () => {
    const probe = builds.production.files.find((f) => f.path.includes('gpu-probe.worker-'))!;
    const code = readFileSync(join(builds.production.dir, probe.path), 'utf8');
    expect(code).toContain('probe-result');
    expect(code).not.toContain('kernels-result');
    // The page still starts it: the device probe (src/app/deviceProbe.ts) is product code.
    expect(pageCode(builds.production)).toContain(probe.path.replace('assets/', ''));
  });
});

describe('e2e build (P2P_TEST_HOOKS=1)', () => {
  test('installs window.__studio with every hook member', () => {
    const code = pageCode(builds.e2e);
    for (const s of TEST_ONLY.strings) expect(code).toContain(s);
    expect(code).toContain('createEngine');
  });

  test('emits the test-only workers beside the product ones', () => {
    expect(testHookTraces(builds.e2e.dir, builds.e2e.files).workers.map((w) => w.replace(/^assets\/|-[\w-]+\.js$/g, '')).sort()).toEqual([...TEST_ONLY.workers].sort());
    expect(workerChunks(builds.e2e.files).sort()).toEqual(['engine.worker', 'gpu-probe.worker', 'kernel-check.worker', 'tokenizer.worker', 'unet-check.worker']);
  });
});
