// Model file storage behind a small interface: complete files (only ever put after verification) and
// partial downloads (kept apart, only for resuming). An in-memory store for Node tests and fallbacks.

import { ModelError } from './errors';
import type { PartialDownload } from './download';

export interface StoredMeta {
  /** Exact byte size (a put whose blob differs is refused). */
  size: number;
  sha256?: string;
  etag?: string;
  /** ms since the epoch. */
  storedAt: number;
}

export interface StoredEntry extends StoredMeta {
  key: string;
}

/** Keys are `<sourceKey>::<path>` (see modelKey/fileKey); a model is every key under its prefix. */
export interface ModelStore {
  has(key: string): Promise<boolean>;
  /** The complete, verified file; undefined when absent. The Blob may be disk-backed (slice it for ranges). */
  get(key: string): Promise<{ blob: Blob; meta: StoredMeta } | undefined>;
  /** Stores a verified file and drops any partial of it. Refuses a blob whose size is not `meta.size`. */
  put(key: string, blob: Blob, meta: StoredMeta): Promise<void>;
  /** Complete entries whose key starts with `prefix` (all when omitted), without their bodies. */
  list(prefix?: string): Promise<StoredEntry[]>;
  delete(key: string): Promise<boolean>;
  /** Bytes held: complete files plus partials. */
  usage(): Promise<number>;
  getPartial(key: string): Promise<PartialDownload | undefined>;
  putPartial(key: string, partial: PartialDownload): Promise<void>;
  deletePartial(key: string): Promise<boolean>;
  /** Keys of kept partial downloads under `prefix`. */
  listPartials(prefix?: string): Promise<{ key: string; size: number; total?: number }[]>;
}

export const KEY_SEPARATOR = '::';
/** Stored last under each model by ensureModel: its presence means every file is verified and stored. */
export const MANIFEST_PATH = '.p2p-manifest.json';

export function fileKey(sourceKey: string, path: string): string {
  return `${sourceKey}${KEY_SEPARATOR}${path}`;
}

export function splitKey(key: string): { model: string; path: string } {
  const i = key.indexOf(KEY_SEPARATOR);
  return i < 0 ? { model: key, path: '' } : { model: key.slice(0, i), path: key.slice(i + KEY_SEPARATOR.length) };
}

/** The guard every store applies before keeping a file as complete. */
export function checkPut(key: string, blob: Blob, meta: StoredMeta): void {
  if (blob.size !== meta.size) {
    throw new ModelError('length', `refusing to store ${key} as complete: ${blob.size} bytes, expected ${meta.size}`, splitKey(key).path);
  }
}

export class MemoryModelStore implements ModelStore {
  private readonly files = new Map<string, { blob: Blob; meta: StoredMeta }>();
  private readonly partials = new Map<string, PartialDownload>();

  async has(key: string): Promise<boolean> {
    return this.files.has(key);
  }

  async get(key: string): Promise<{ blob: Blob; meta: StoredMeta } | undefined> {
    return this.files.get(key);
  }

  async put(key: string, blob: Blob, meta: StoredMeta): Promise<void> {
    checkPut(key, blob, meta);
    this.files.set(key, { blob, meta: { ...meta } });
    this.partials.delete(key);
  }

  async list(prefix = ''): Promise<StoredEntry[]> {
    return [...this.files].filter(([k]) => k.startsWith(prefix)).map(([key, { meta }]) => ({ key, ...meta }));
  }

  async delete(key: string): Promise<boolean> {
    const had = this.files.delete(key);
    return this.partials.delete(key) || had;
  }

  async usage(): Promise<number> {
    let bytes = 0;
    for (const { meta } of this.files.values()) bytes += meta.size;
    for (const p of this.partials.values()) bytes += p.blob.size;
    return bytes;
  }

  async getPartial(key: string): Promise<PartialDownload | undefined> {
    return this.partials.get(key);
  }

  async putPartial(key: string, partial: PartialDownload): Promise<void> {
    if (this.files.has(key)) return; // a complete file makes a partial pointless
    this.partials.set(key, partial);
  }

  async deletePartial(key: string): Promise<boolean> {
    return this.partials.delete(key);
  }

  async listPartials(prefix = ''): Promise<{ key: string; size: number; total?: number }[]> {
    return [...this.partials].filter(([k]) => k.startsWith(prefix)).map(([key, p]) => ({ key, size: p.blob.size, total: p.total }));
  }
}

export interface CachedModel {
  /** The source key (`hub:<repo>@<rev>` or `url:<base>`). */
  model: string;
  files: number;
  bytes: number;
  partialBytes: number;
  /** Every file verified and stored (the manifest is there); false: an interrupted download. */
  complete: boolean;
}

/** Cached models grouped by source key, for the "manage storage" list. */
export async function listCachedModels(store: ModelStore): Promise<CachedModel[]> {
  const models = new Map<string, Omit<CachedModel, 'model'>>();
  const at = (m: string) => models.get(m) ?? models.set(m, { files: 0, bytes: 0, partialBytes: 0, complete: false }).get(m)!;
  for (const e of await store.list()) {
    const { model, path } = splitKey(e.key);
    const m = at(model);
    if (path === MANIFEST_PATH) {
      m.complete = true;
      continue;
    }
    m.files += 1;
    m.bytes += e.size;
  }
  for (const p of await store.listPartials()) at(splitKey(p.key).model).partialBytes += p.size;
  return [...models].map(([model, v]) => ({ model, ...v })).sort((a, b) => a.model.localeCompare(b.model));
}

/** Deletes every complete and partial file of a model; returns the number of keys removed. */
export async function deleteCachedModel(store: ModelStore, sourceKey: string): Promise<number> {
  const prefix = `${sourceKey}${KEY_SEPARATOR}`;
  let removed = 0;
  for (const e of await store.list(prefix)) if (await store.delete(e.key)) removed += 1;
  for (const p of await store.listPartials(prefix)) if (await store.deletePartial(p.key)) removed += 1;
  return removed;
}
