/**
 * `npm run gpu-pack`: the pack builds within its 60 MB, carries what a bare GPU machine lacks (node and
 * onnxruntime-node's library compressed, the Vulkan loader .deb, the skeletons, the anchor), and its run.sh dry-runs
 * here on the CPU execution provider at mini scale: weights regenerated, every UNet variant timed, fused attention
 * equal to materialised, full edits against plain generations, results.json / results.md / the chart written.
 * An execution provider that cannot start (WebGPU without an adapter here) is recorded and the next one runs.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GPU_END, GPU_START } from '../bench/report';
import { buildPack, PACK_LIMIT_BYTES, type PackSummary } from './buildPack';
import type { PackResults } from './packResults';
import { CHART_FILE, withGpuBlock } from './packReport';

const ROOT = resolve(import.meta.dirname, '../..');
const PYTHON = '/usr/bin/python3';
const hasTorch = spawnSync(PYTHON, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;

let tmp: string;
let pack: PackSummary;
let results: PackResults;
let run: ReturnType<typeof spawnSync>;

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'gpu-pack-test-'));
  pack = await buildPack({ root: ROOT, out: join(tmp, 'pack'), fast: true, log: () => {} });
  run = spawnSync(
    'bash',
    [join(pack.out, 'run.sh'), '--ep', 'webgpu,cpu', '--scale', 'mini', '--steps', '2', '--rounds', '1', '--calls', '1', '--out', join(tmp, 'results'), '--work', join(tmp, 'work')],
    { encoding: 'utf8', timeout: 240_000, env: { ...process.env, PYTHON, VK_ICD_FILENAMES: '', VK_DRIVER_FILES: join(tmp, 'no-such-icd.json') } },
  );
  if (run.status === 0) results = JSON.parse(readFileSync(join(tmp, 'results/results.json'), 'utf8')) as PackResults;
}, 300_000);

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('gpu-pack', () => {
  it('holds node, onnxruntime-node, the Vulkan loader, the skeletons and the anchor, within 60 MB, with checksums', () => {
    expect(pack.totalBytes).toBeLessThanOrEqual(PACK_LIMIT_BYTES);
    const has = (p: string) => existsSync(join(pack.out, p));
    for (const p of ['run.sh', 'bench.mjs', 'bin/node.xz', 'node_modules/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime.so.1.xz', 'node_modules/onnxruntime-node/bin/napi-v6/linux/x64/onnxruntime_binding.node', 'node_modules/onnxruntime-common/package.json', 'skeletons/full/unet', 'skeletons/mini/unet', 'python/anchor.py', 'python/model.py', 'README.md']) {
      expect(has(p), p).toBe(true);
    }
    expect(statSync(join(pack.out, 'run.sh')).mode & 0o111).not.toBe(0);
    expect(readdirSync(join(pack.out, 'debs')).some((f) => /^libvulkan1_.*\.deb$/.test(f))).toBe(true);
    const sums = readFileSync(join(pack.out, 'SHA256SUMS'), 'utf8').trim().split('\n');
    expect(sums.length).toBeGreaterThan(10);
    for (const line of sums) {
      const [hash, path] = line.split(/\s+/);
      expect(createHash('sha256').update(readFileSync(join(pack.out, path))).digest('hex'), path).toBe(hash);
    }
  });

  it('run.sh dry-runs at mini scale: WebGPU without an adapter is recorded, the CPU provider runs every part', () => {
    expect(run.status, `${run.stderr}`.slice(-3000)).toBe(0);
    expect(results.ep).toBe('cpu');
    expect(results.epErrors).toHaveLength(1);
    expect(results.epErrors[0]).toMatch(/^webgpu: .*adapter/i);
    expect(results.weights?.components.unet.parameters).toBe(3_277_988);
    expect(results.settings.latent).toBe(32);
    expect(results.instrument?.fusedLayers).toBeGreaterThan(0);
    for (const v of ['stock', 'identity', 'edit', 'fusedIdentity', 'fusedEdit']) {
      expect(results.unet?.ms[v], v).toHaveLength(1);
      expect(results.unet!.ms[v][0]).toBeGreaterThan(0);
    }
    // Fused MultiHeadAttention against materialised attention, same feeds, on the same provider.
    expect(results.parity!.identity.rel).toBeLessThan(1e-5);
    expect(results.parity!.edit.rel).toBeLessThan(1e-5);
    expect(results.parity!.identity.scale).toBeGreaterThan(0);
    // The MultiHeadAttention probe: every shape on the CPU EP within float32 rounding of the float64 reference.
    expect(results.mha!.length).toBeGreaterThanOrEqual(10);
    for (const row of results.mha!) for (const x of row.results) expect(x.rel, `${row.name} ±${x.amp}`).toBeLessThan(1e-5);
    for (const name of ['edit', 'plain', 'plainStock'] as const) {
      const t = results.pipelines![name];
      expect(t, name).toHaveLength(1);
      expect(t[0].unetCalls).toBeGreaterThan(0);
      expect(t[0].unetLoop).toBeGreaterThanOrEqual(t[0].unetCalls);
      expect(t[0].total).toBeGreaterThan(t[0].unetLoop);
    }
    if (hasTorch) expect(results.anchor?.results.map((r) => [r.batch, r.sdpa, r.hook])).toEqual([[2, true, false], [4, true, false], [4, false, false], [4, false, true], [8, true, false]]);
    else expect(results.errors.anchor).toMatch(/anchor\.py/);
  });

  it('writes the docs block and the chart', () => {
    const md = readFileSync(join(tmp, 'results/results.md'), 'utf8');
    expect(md.startsWith(GPU_START)).toBe(true);
    expect(md.trimEnd().endsWith(GPU_END)).toBe(true);
    expect(md).toContain('execution provider **cpu** (after: webgpu:');
    expect(md).toMatch(/Fused vs materialised .*parity holds/);
    expect(md).toContain('MultiHeadAttention alone on cpu');
    const svg = readFileSync(join(tmp, 'results', CHART_FILE), 'utf8');
    expect(svg).toMatch(/^<svg [^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect((svg.match(/<rect /g) ?? []).length).toBeGreaterThanOrEqual(10);
  });
});

describe('withGpuBlock', () => {
  const block = `${GPU_START}\nnew\n${GPU_END}\n`;
  it('replaces the block between the markers and keeps the rest', () => {
    expect(withGpuBlock(`# B\n\nbefore\n${GPU_START}\nold\n${GPU_END}\nafter\n`, block)).toBe(`# B\n\nbefore\n${GPU_START}\nnew\n${GPU_END}\nafter\n`);
  });
  it('appends the block to a document without one', () => {
    expect(withGpuBlock('# B\n\ntext\n', block)).toBe(`# B\n\ntext\n\n${block}`);
  });
});
