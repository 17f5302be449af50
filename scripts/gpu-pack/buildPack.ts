// Builds the GPU benchmark pack: a folder a bare Linux x64 GPU machine runs with `bash run.sh` (no npm, no
// network there). Holds node and onnxruntime-node's native library (xz), the Vulkan loader .deb, the benchmark
// bundled into one ES module, the random-SD skeletons and the native anchor's Python files.

import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, openSync, closeSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative } from 'node:path';
import { build, type Plugin } from 'esbuild';

/** The issue's limit (60 MB), under the 64 MiB a device call may carry. */
export const PACK_LIMIT_BYTES = 60e6;

export interface PackOptions {
  root: string;
  out: string;
  /** `xz -0` instead of `-6` (tests: seconds instead of half a minute; ~8 MB larger). */
  fast?: boolean;
  /** A libvulkan1 .deb to carry; default: apt's cache, else `apt-get download libvulkan1`. */
  vulkanDeb?: string;
  /** Leave the Vulkan loader out (the machine must have libvulkan.so.1). */
  noVulkan?: boolean;
  log?: (line: string) => void;
}

export interface PackSummary {
  out: string;
  files: { path: string; bytes: number }[];
  totalBytes: number;
}

function xz(from: string, to: string, fast: boolean): void {
  const fd = openSync(to, 'w');
  try {
    const r = spawnSync('xz', ['-T2', fast ? '-0' : '-6', '-c', from], { stdio: ['ignore', fd, 'inherit'] });
    if (r.error || r.status !== 0) throw new Error(`xz ${from} failed: ${r.error?.message ?? `exit ${r.status}`}`);
  } finally {
    closeSync(fd);
  }
}

/** Debian's libvulkan1 .deb: from apt's cache, else downloaded by apt (Debian mirrors are reachable here and in CI). */
function findVulkanDeb(log: (line: string) => void): string {
  const cache = '/var/cache/apt/archives';
  const cached = existsSync(cache) ? readdirSync(cache).find((f) => /^libvulkan1_.*_amd64\.deb$/.test(f)) : undefined;
  if (cached) return join(cache, cached);
  const dir = mkdtempSync(join(tmpdir(), 'p2p-vulkan-'));
  log('downloading libvulkan1 with apt-get download …');
  const r = spawnSync('apt-get', ['download', 'libvulkan1:amd64'], { cwd: dir, encoding: 'utf8' });
  const got = readdirSync(dir).find((f) => f.endsWith('.deb'));
  if (r.status !== 0 || !got) throw new Error(`gpu-pack: cannot get Debian's libvulkan1 .deb (${(r.stderr ?? r.error?.message ?? '').trim().split('\n').pop()}); pass --vulkan-deb FILE or --no-vulkan`);
  return join(dir, got);
}

/**
 * transformers.js imports sharp (native image decoding) at load; the benchmark reads no images, and the pack
 * carries no sharp binaries: a module that says so if it is ever called.
 */
const noSharp: Plugin = {
  name: 'no-sharp',
  setup(b) {
    b.onResolve({ filter: /^sharp$/ }, () => ({ path: 'sharp', namespace: 'no-sharp' }));
    b.onLoad({ filter: /.*/, namespace: 'no-sharp' }, () => ({
      contents: "export default function sharp() { throw new Error('sharp is not in the GPU pack: the benchmark reads no images'); }",
      loader: 'js',
    }));
  },
};

function listFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

export async function buildPack(o: PackOptions): Promise<PackSummary> {
  const log = o.log ?? ((line: string) => console.error(line));
  if (process.platform !== 'linux' || process.arch !== 'x64') throw new Error('gpu-pack: the pack carries this machine\'s node and onnxruntime binaries, so it is built on Linux x64');
  if (existsSync(o.out) && readdirSync(o.out).length > 0) {
    if (!existsSync(join(o.out, 'run.sh'))) throw new Error(`gpu-pack: ${o.out} is not empty and is not a previous pack; choose another --out`);
    rmSync(o.out, { recursive: true, force: true });
  }
  mkdirSync(o.out, { recursive: true });
  const at = (...p: string[]): string => join(o.out, ...p);

  log('bundling the benchmark (scripts/gpu-pack/runner.ts) …');
  await build({
    entryPoints: [join(o.root, 'scripts/gpu-pack/runner.ts')], outfile: at('bench.mjs'), bundle: true, platform: 'node', format: 'esm',
    target: 'node20', external: ['onnxruntime-node'], logLevel: 'warning', legalComments: 'none', plugins: [noSharp],
    // CommonJS dependencies inside an ES module still call require().
    banner: { js: "import { createRequire as __p2pRequire } from 'node:module'; const require = __p2pRequire(import.meta.url);" },
  });

  log(`compressing node (${process.version}) and onnxruntime-node …`);
  mkdirSync(at('bin'));
  xz(process.execPath, at('bin/node.xz'), o.fast === true);
  const ortDir = join(o.root, 'node_modules/onnxruntime-node');
  const native = 'bin/napi-v6/linux/x64';
  for (const pkg of ['onnxruntime-node', 'onnxruntime-common']) {
    const from = join(o.root, 'node_modules', pkg);
    cpSync(join(from, 'package.json'), at('node_modules', pkg, 'package.json'));
    cpSync(join(from, 'dist'), at('node_modules', pkg, 'dist'), { recursive: true, filter: (f) => !f.endsWith('.map') && !f.endsWith('.d.ts') });
  }
  mkdirSync(at('node_modules/onnxruntime-node', native), { recursive: true });
  cpSync(join(ortDir, native, 'onnxruntime_binding.node'), at('node_modules/onnxruntime-node', native, 'onnxruntime_binding.node'));
  xz(join(ortDir, native, 'libonnxruntime.so.1'), at('node_modules/onnxruntime-node', native, 'libonnxruntime.so.1.xz'), o.fast === true);

  if (!o.noVulkan) {
    const deb = o.vulkanDeb ?? findVulkanDeb(log);
    mkdirSync(at('debs'));
    cpSync(deb, at('debs', basename(deb)));
  }
  for (const scale of ['full', 'mini']) cpSync(join(o.root, 'tools/random-sd/skeletons', scale), at('skeletons', scale), { recursive: true });
  mkdirSync(at('python'));
  cpSync(join(o.root, 'tools/device/anchor.py'), at('python/anchor.py'));
  cpSync(join(o.root, 'tools/toy-model/model.py'), at('python/model.py'));
  cpSync(join(o.root, 'scripts/gpu-pack/run.sh'), at('run.sh'));
  chmodSync(at('run.sh'), 0o755);

  const commit = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: o.root, encoding: 'utf8' }).stdout?.trim() || 'unknown';
  const files = listFiles(o.out).map((f) => ({ path: relative(o.out, f), bytes: statSync(f).size })).sort((a, b) => a.path.localeCompare(b.path));
  const manifest = files.map((f) => `${createHash('sha256').update(readFileSync(at(f.path))).digest('hex')}  ${f.path}`).join('\n');
  writeFileSync(at('SHA256SUMS'), `${manifest}\n`);
  writeFileSync(
    at('README.md'),
    [
      '# Prompt-to-Prompt Studio: GPU benchmark pack',
      '',
      `Built by \`npm run gpu-pack\` at commit ${commit}, ${new Date().toISOString()}, node ${process.version}, onnxruntime-node ${JSON.parse(readFileSync(join(ortDir, 'package.json'), 'utf8')).version as string}.`,
      '',
      'On a Linux x64 GPU machine (NVIDIA driver with its Vulkan ICD; python3 + torch for the native anchor):',
      '',
      '    bash run.sh --out RESULTS          # ~7 minutes; bash run.sh --help for options',
      '',
      'Then, in the project: `npm run gpu-pack -- --render RESULTS/results.json` writes the figures into docs/.',
      'Dry run without a GPU: `bash run.sh --ep cpu --scale mini --steps 2`. Checksums: SHA256SUMS.',
      '',
    ].join('\n'),
  );
  const all = listFiles(o.out).map((f) => ({ path: relative(o.out, f), bytes: statSync(f).size }));
  const totalBytes = all.reduce((s, f) => s + f.bytes, 0);
  if (totalBytes > PACK_LIMIT_BYTES) throw new Error(`gpu-pack: ${(totalBytes / 1e6).toFixed(1)} MB is over the pack's ${PACK_LIMIT_BYTES / 1e6} MB`);
  return { out: o.out, files: all, totalBytes };
}
