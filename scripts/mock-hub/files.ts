// The mock Hub's view of a model folder: every file with its size, sha256 (the LFS oid) and git blob
// sha1, and the Hub's tree-API entries built from them. Read once at start (the toy model is small).

import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';

export interface HubFile {
  path: string;
  abs: string;
  size: number;
  sha256: string;
  /** Git blob id (what the Hub puts in `oid` for files kept in git, not LFS). */
  gitSha1: string;
  /** Stored through Git LFS on the real Hub (binary weights and graphs). */
  lfs: boolean;
}

/** Extensions the Hub's default .gitattributes sends through LFS. */
const LFS = /\.(onnx|onnx_data|pb|bin|safetensors|ckpt|pt|msgpack|h5)$/;

/** Every regular file under `dir`, recursively, joined onto `dir`. */
export function listFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const abs = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listFiles(abs));
    else if (entry.isFile()) out.push(abs);
  }
  return out;
}

export async function indexFolder(root: string): Promise<Map<string, HubFile>> {
  const files = new Map<string, HubFile>();
  for (const abs of listFiles(root)) {
    const bytes = await readFile(abs);
    const path = relative(root, abs).split(sep).join('/');
    const gitSha1 = createHash('sha1').update(`blob ${bytes.byteLength}\0`).update(bytes).digest('hex');
    files.set(path, {
      path,
      abs,
      size: (await stat(abs)).size,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      gitSha1,
      lfs: LFS.test(path),
    });
  }
  return files;
}

/** `GET /api/models/<repo>/tree/<rev>[/<dir>]?recursive=true` entries, as the Hub lists them. */
export function treeEntries(files: Map<string, HubFile>, dir: string, recursive: boolean): unknown[] {
  const prefix = dir ? `${dir.replace(/\/$/, '')}/` : '';
  const entries: unknown[] = [];
  const dirs = new Set<string>();
  for (const f of files.values()) {
    if (!f.path.startsWith(prefix)) continue;
    const rest = f.path.slice(prefix.length);
    const parts = rest.split('/');
    for (let i = 1; i < parts.length; i++) {
      if (!recursive && i > 1) break;
      dirs.add(prefix + parts.slice(0, i).join('/'));
    }
    if (!recursive && parts.length > 1) continue;
    const entry: Record<string, unknown> = { type: 'file', oid: f.gitSha1, size: f.size, path: f.path };
    if (f.lfs) entry.lfs = { oid: f.sha256, size: f.size, pointerSize: 134 };
    entries.push(entry);
  }
  for (const d of dirs) entries.push({ type: 'directory', oid: createHash('sha1').update(d).digest('hex'), size: 0, path: d });
  return entries.sort((a, b) => String((a as { path: string }).path).localeCompare(String((b as { path: string }).path)));
}
