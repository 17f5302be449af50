/**
 * Reads a built site: every emitted file with its raw and gzip size (node:zlib, level 6 — zlib's default and
 * a common server setting), files copied as is from public/ set apart, and the traces of the e2e test hook
 * (its global, its test-only members and workers) found in the emitted code.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import { gzipSync } from 'node:zlib';

export type FileKind = 'js' | 'css' | 'html' | 'wasm' | 'other' | 'public';

export interface BuiltFile {
  /** Path inside the build folder, with `/` separators. */
  path: string;
  kind: FileKind;
  raw: number;
  /** Gzip size; not computed for files copied from public/. */
  gzip?: number;
}

export const GZIP_LEVEL = 6;

const KINDS: Record<string, FileKind> = { '.js': 'js', '.mjs': 'js', '.css': 'css', '.html': 'html', '.wasm': 'wasm' };

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));
}

/** Every file of the build; those that public/ holds at the same path are kind `public` (copied, not emitted). */
export function listBuild(outDir: string, publicDir: string): BuiltFile[] {
  return walk(outDir)
    .map((file) => {
      const path = relative(outDir, file).split(sep).join('/');
      const bytes = readFileSync(file);
      if (existsSync(join(publicDir, path))) return { path, kind: 'public' as const, raw: bytes.length };
      return { path, kind: KINDS[extname(path)] ?? 'other', raw: bytes.length, gzip: gzipSync(bytes, { level: GZIP_LEVEL }).length };
    })
    .sort((a, b) => a.path.localeCompare(b.path));
}

/** What only the e2e test hook brings (src/app/studioHook.ts and the workers only it reaches). */
export const TEST_ONLY = {
  /** Strings of the hook in the page's code: its global and its test-only members. */
  strings: ['__studio', 'checkKernels', 'checkUnet'],
  /** Worker entry files (their emitted chunks are named after them). */
  workers: ['kernel-check.worker', 'unet-check.worker'],
};

export interface HookTraces {
  /** `string in file` for each hook string found in emitted JS. */
  strings: string[];
  /** Emitted worker chunks of test-only workers. */
  workers: string[];
}

export function testHookTraces(outDir: string, files: BuiltFile[]): HookTraces {
  const strings: string[] = [];
  for (const f of files.filter((x) => x.kind === 'js' || x.kind === 'html')) {
    const text = readFileSync(join(outDir, f.path), 'utf8');
    for (const s of TEST_ONLY.strings) if (text.includes(s)) strings.push(`${s} in ${f.path}`);
  }
  const workers = files.filter((f) => f.kind !== 'public' && TEST_ONLY.workers.some((w) => f.path.split('/').pop()!.startsWith(`${w}-`))).map((f) => f.path);
  return { strings, workers };
}

/** Emitted worker chunks (`*.worker-<hash>.js`), by entry name. */
export function workerChunks(files: BuiltFile[]): string[] {
  return files.flatMap((f) => {
    const m = f.kind === 'js' ? /(?:^|\/)([\w-]+\.worker)-[\w-]+\.js$/.exec(f.path) : null;
    return m ? [m[1]] : [];
  });
}
