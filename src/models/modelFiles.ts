// A model whose files are all verified and stored: what the engine reads its graphs, configs and
// tokenizer from (whole files, checked again on every read: size, and sha256 when one is known; or byte
// ranges of a disk-backed Blob for the single-file UNet trick, unchecked).

import { fileKey, MANIFEST_PATH, type Damage, type ModelStore } from './cache';
import { damagedError, markDamaged } from './damage';
import { ModelError } from './errors';
import { readBlobHashed } from './integrity';
import type { ModelFileSpec } from './registry';
import { describeSource, sourceKey, type ModelSource } from './source';

/** One load-time check of a stored file: bytes read, whether a sha256 was compared, and how long hashing took. */
export interface FileCheck {
  path: string;
  bytes: number;
  sha256: boolean;
  /** Milliseconds spent hashing (reading the bytes is not counted: the load reads them anyway). */
  hashMs: number;
}


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
  /** The checks made by `bytes`/`text` so far (the load's verification cost). */
  readonly checks: FileCheck[] = [];

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
    if (!stored) throw this.notFound(path);
    return stored.blob;
  }

  /** The model as people name it (`owner/name`, or the folder URL), for messages. */
  get label(): string {
    return describeSource(this.source);
  }

  /**
   * The whole file, checked: its size against the manifest (else the stored size), and its sha256
   * against the published one (else the one taken at download). A file that fails is recorded as
   * damaged (the model is then no longer complete) and a `damaged` ModelError names it. Read and hashed in
   * slices, each reported to `onProgress` (bytes read so far, the file's size); `signal` cancels between slices.
   */
  async bytes(path: string, onProgress?: (loaded: number, total: number) => void, signal?: AbortSignal): Promise<Uint8Array> {
    const spec = this.manifest.files.find((f) => f.path === path);
    const stored = await this.store.get(fileKey(this.key, path));
    const of = `${path} of ${this.label}`;
    if (!stored) {
      if (!spec) throw this.notFound(path);
      throw await this.damaged({ path, reason: 'missing', message: `${of} is no longer in this browser's cache (evicted, or cut short and removed).`, size: spec.size });
    }
    const size = spec?.size ?? stored.meta.size;
    if (stored.blob.size !== size) {
      throw await this.damaged({ path, reason: 'size', message: `${of} is damaged in this browser's cache: ${stored.blob.size} bytes stored, ${size} expected.`, size });
    }
    const expected = spec?.sha256?.toLowerCase() ?? stored.meta.sha256?.toLowerCase();
    const { bytes, sha256: actual, hashMs } = await readBlobHashed(stored.blob, { sha256: expected !== undefined, onProgress, signal });
    if (expected !== undefined && actual !== expected) {
      const published = spec?.sha256 !== undefined || stored.meta.sha256Source === 'published';
      const message = `${of} is damaged in this browser's cache: its sha256 is ${actual?.slice(0, 12)}…, ${published ? 'the published one is' : 'at download it was'} ${expected.slice(0, 12)}….`;
      throw await this.damaged({ path, reason: 'sha256', message, size });
    }
    this.checks.push({ path, bytes: bytes.byteLength, sha256: expected !== undefined, hashMs });
    return bytes;
  }

  private notFound(path: string): ModelError {
    const why = this.manifest.absent.includes(path) ? 'the model does not have it' : 'it is no longer in the cache (evicted or deleted)';
    return new ModelError('not-found', `${path}: ${why}`, path);
  }

  /** Records the damage and returns the error to throw. */
  async damaged(damage: Damage): Promise<ModelError> {
    await markDamaged(this.store, this.key, damage).catch(() => undefined);
    return damagedError(this.label, [damage]);
  }

  /** Bytes `[start, end)` of a file, without reading the rest. */
  async range(path: string, start: number, end: number): Promise<Uint8Array> {
    return new Uint8Array(await (await this.blob(path)).slice(start, end).arrayBuffer());
  }

  /** A text file, checked like `bytes`. */
  async text(path: string): Promise<string> {
    return new TextDecoder().decode(await this.bytes(path));
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
