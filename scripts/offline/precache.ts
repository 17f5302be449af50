/**
 * The precache manifest of a built site (src/offline/shell.ts has its form): every file the build wrote, with
 * its SHA-256 and size, and a version hashed from them. It is prepended to the built service worker as one line,
 * `self.__P2P_PRECACHE__=<json>;`, so any change to any file changes the worker's bytes and the browser installs
 * the new version. Run by the Vite plugin (./plugin.ts) after the build is written; tests reuse it on a copy.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { isPrecached, manifestText, SW_FILE, type PrecacheEntry, type PrecacheManifest } from '../../src/offline/shell';

export const MANIFEST_PREFIX = 'self.__P2P_PRECACHE__=';

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));
}

export function sha256Hex(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export function buildManifest(entries: readonly PrecacheEntry[]): PrecacheManifest {
  const sorted = [...entries].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { version: sha256Hex(manifestText(sorted)).slice(0, 16), entries: sorted };
}

/** Every precached file of a build folder (paths with `/`, relative to the folder). */
export function precacheEntries(outDir: string): PrecacheEntry[] {
  return walk(outDir)
    .map((file) => ({ file, path: relative(outDir, file).split(sep).join('/') }))
    .filter(({ path }) => isPrecached(path))
    .map(({ file, path }) => {
      const bytes = readFileSync(file);
      return { path, sha256: sha256Hex(bytes), size: bytes.length };
    });
}

/** The worker's code with `manifest` as its first line (an earlier manifest line is replaced). */
export function injectManifest(code: string, manifest: PrecacheManifest): string {
  const rest = code.startsWith(MANIFEST_PREFIX) ? code.slice(code.indexOf('\n') + 1) : code;
  return `${MANIFEST_PREFIX}${JSON.stringify(manifest)};\n${rest}`;
}

/** Reads the manifest back from a built worker (undefined when it has none). */
export function readManifest(code: string): PrecacheManifest | undefined {
  if (!code.startsWith(MANIFEST_PREFIX)) return undefined;
  const line = code.slice(MANIFEST_PREFIX.length, code.indexOf('\n'));
  return JSON.parse(line.replace(/;$/, '')) as PrecacheManifest;
}

/** Hashes the build folder and writes the manifest into its service worker; returns the manifest. */
export function writePrecacheManifest(outDir: string): PrecacheManifest {
  const manifest = buildManifest(precacheEntries(outDir));
  const swPath = join(outDir, SW_FILE);
  writeFileSync(swPath, injectManifest(readFileSync(swPath, 'utf8'), manifest));
  return manifest;
}
