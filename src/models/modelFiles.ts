// A model whose files are all verified and stored: what the engine reads its graphs, configs and
// tokenizer from (whole files, or byte ranges of a disk-backed Blob for the single-file UNet trick).

import { fileKey, MANIFEST_PATH, type ModelStore } from './cache';
import { ModelError } from './errors';
import type { ModelFileSpec } from './registry';
import { sourceKey, type ModelSource } from './source';


export interface Manifest {
  version: 1;
  source: ModelSource;
  /** Files present (verified and stored). */
  files: ModelFileSpec[];
  /** Optional files the source does not have. */
  absent: string[];
}

export async function readManifest(store: ModelStore, key: string): Promise<Manifest | undefined> {
  const stored = await store.get(fileKey(key, MANIFEST_PATH));
  if (!stored) return undefined;
  try {
    const m = JSON.parse(await stored.blob.text()) as Manifest;
    return m.version === 1 && Array.isArray(m.files) ? m : undefined;
  } catch {
    return undefined;
  }
}

export class ModelFiles {
  readonly key: string;

  constructor(
    private readonly store: ModelStore,
    readonly source: ModelSource,
    readonly manifest: Manifest,
  ) {
    this.key = sourceKey(source);
  }

  /** Whether every file of the manifest is in the store. */
  static async complete(store: ModelStore, key: string, manifest: Manifest): Promise<boolean> {
    for (const f of manifest.files) if (!(await store.has(fileKey(key, f.path)))) return false;
    return true;
  }

  has(path: string): boolean {
    return this.manifest.files.some((f) => f.path === path);
  }

  /** Paths of the stored files. */
  paths(): string[] {
    return this.manifest.files.map((f) => f.path);
  }

  /** The file as a Blob (Cache Storage Blobs are disk-backed: `blob.slice(a, b)` reads only that range). */
  async blob(path: string): Promise<Blob> {
    const stored = await this.store.get(fileKey(this.key, path));
    if (!stored) {
      const why = this.manifest.absent.includes(path) ? 'the model does not have it' : 'it is no longer in the cache (evicted or deleted)';
      throw new ModelError('not-found', `${path}: ${why}`, path);
    }
    return stored.blob;
  }

  async bytes(path: string): Promise<Uint8Array> {
    return new Uint8Array(await (await this.blob(path)).arrayBuffer());
  }

  /** Bytes `[start, end)` of a file, without reading the rest. */
  async range(path: string, start: number, end: number): Promise<Uint8Array> {
    return new Uint8Array(await (await this.blob(path)).slice(start, end).arrayBuffer());
  }

  async text(path: string): Promise<string> {
    return (await this.blob(path)).text();
  }

  /** A JSON file; with `optional`, undefined when the model does not have it (per-folder configs, p2p.json). */
  async json(path: string, optional = false): Promise<unknown> {
    if (optional && !this.has(path)) return undefined;
    const text = await this.text(path);
    try {
      return JSON.parse(text) as unknown;
    } catch (err) {
      throw new ModelError('invalid-model', `${path}: not valid JSON (${err instanceof Error ? err.message : String(err)})`, path);
    }
  }
}
