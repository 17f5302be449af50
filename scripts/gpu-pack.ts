// `npm run gpu-pack -- --out DIR [--fast] [--vulkan-deb FILE | --no-vulkan]`: the GPU benchmark pack
// (scripts/gpu-pack/buildPack.ts). `npm run gpu-pack -- --render RESULTS/results.json`: the pack's figures into
// docs/benchmarks.md (the GPU block) and docs/benchmarks-gpu.svg.

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { buildPack } from './gpu-pack/buildPack';
import type { PackResults } from './gpu-pack/packResults';
import { CHART_FILE, renderPackChart, renderPackReport, withGpuBlock } from './gpu-pack/packReport';

const ROOT = resolve(import.meta.dirname, '..');
const USAGE = `npm run gpu-pack -- --out DIR [--fast] [--vulkan-deb FILE | --no-vulkan]
npm run gpu-pack -- --render RESULTS/results.json [--doc docs/benchmarks.md]
  --out DIR          write the pack (≤ 60 MB) to DIR; on the GPU machine: bash DIR/run.sh --out RESULTS
  --fast             xz -0 (quicker, larger; tests)
  --render FILE      put a run's results into the GPU block of docs/benchmarks.md and docs/${CHART_FILE}`;

async function main(): Promise<void> {
  const { values: v } = parseArgs({
    options: { out: { type: 'string' }, fast: { type: 'boolean' }, 'vulkan-deb': { type: 'string' }, 'no-vulkan': { type: 'boolean' }, render: { type: 'string' }, doc: { type: 'string' }, help: { type: 'boolean' } },
  });
  if (v.help) return console.log(USAGE);
  if (v.render) {
    const r = JSON.parse(readFileSync(v.render, 'utf8')) as PackResults;
    const doc = resolve(v.doc ?? join(ROOT, 'docs/benchmarks.md'));
    writeFileSync(doc, withGpuBlock(existsSync(doc) ? readFileSync(doc, 'utf8') : '# Benchmarks\n', renderPackReport(r)));
    writeFileSync(join(doc, '..', CHART_FILE), renderPackChart(r));
    return console.error(`wrote ${doc} and ${CHART_FILE}`);
  }
  if (!v.out) {
    console.log(USAGE);
    process.exitCode = 2;
    return;
  }
  const t0 = performance.now();
  const s = await buildPack({ root: ROOT, out: resolve(v.out), fast: v.fast === true, vulkanDeb: v['vulkan-deb'], noVulkan: v['no-vulkan'] === true });
  for (const f of s.files.filter((x) => x.bytes > 1e6)) console.log(`${(f.bytes / 1e6).toFixed(1).padStart(6)} MB  ${f.path}`);
  console.log(`wrote ${s.out}: ${s.files.length} files, ${(s.totalBytes / 1e6).toFixed(1)} MB, in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  console.log(`on the GPU machine: bash ${s.out}/run.sh --out RESULTS   (dry run here: --ep cpu --scale mini --steps 2)`);
}

main().catch((err: unknown) => {
  console.error(`gpu-pack failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
});
