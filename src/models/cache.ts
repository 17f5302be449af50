// Model file storage behind a small interface: complete files (only ever put after verification) and
// partial downloads (kept apart, written as they arrive, only for resuming). An in-memory store for Node
// tests and fallbacks.

import { ModelError } from './errors';
import { MemoryPartial, type PartialFile } from './partialFile';

export interface StoredMeta {
  /** Exact byte size (a put whose blob differs is refused). */
  size: number;
  /** The file's sha256, checked again whenever it is loaded (ModelFiles). */
  sha256?: string;
  /** Where `sha256` came from: published by the source (LFS oid, registry pin), or taken at download. */
  sha256Source?: 'published' | 'download';
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
  /**
   * The download of a file that is not complete: the bytes an earlier attempt kept (possibly none), to
   * append to; its commit stores the file as complete (the same guard as put) and drops the partial.
   */
  openPartial(key: string): Promise<PartialFile>;
  /** Drops the kept bytes of an unfinished download (never a complete file's). */
  deletePartial(key: string): Promise<boolean>;
  /** Keys of kept partial downloads under `prefix`. */
  listPartials(prefix?: string): Promise<{ key: string; size: number; total?: number }[]>;
}

export const KEY_SEPARATOR = '::';
/** Stored last under each model by ensureModel: its presence means every file is verified and stored. */
export const MANIFEST_PATH = '.p2p-manifest.json';
/** Markers of files known to be bad live under this folder of their model (src/models/damage.ts). */
export const DAMAGE_DIR = '.p2p-damaged/';

/** Why a cached file is known to be bad. */
export type DamageReason = 'size' | 'sha256' | 'missing' | 'unreadable';

/** A cached file that failed its check when loaded, or could not be read as a model: downloaded again only with consent. */
export interface Damage {
  /** The file's path inside the model. */
  path: string;
  reason: DamageReason;
  /** For people: what is wrong, naming the file and the model. */
  message: string;
  /** Bytes to download again, when known. */
  size?: number;
}

/** A marker's body → Damage (a marker that does not parse still marks its file). */
export function parseDamage(path: string, text: string | undefined): Damage {
  try {
    const d = JSON.parse(text ?? '') as Partial<Damage>;
    if (typeof d.message === 'string' && (d.reason === 'size' || d.reason === 'sha256' || d.reason === 'missing' || d.reason === 'unreadable')) {
      return { path, reason: d.reason, message: d.message, ...(typeof d.size === 'number' ? { size: d.size } : {}) };
    }
  } catch {
    // fall through
  }
  return { path, reason: 'unreadable', message: `${path} is recorded as damaged` };
}

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
  private readonly partials = new Map<string, MemoryPartial>();

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
    for (const p of this.partials.values()) bytes += p.size;
    return bytes;
  }

  async openPartial(key: string): Promise<PartialFile> {
    let partial = this.partials.get(key);
    if (!partial) {
      partial = new MemoryPartial({}, (blob, meta) => this.put(key, blob, meta));
      this.partials.set(key, partial);
    }
    return partial;
  }

  async deletePartial(key: string): Promise<boolean> {
    return this.partials.delete(key);
  }

  async listPartials(prefix = ''): Promise<{ key: string; size: number; total?: number }[]> {
    return [...this.partials].filter(([k, p]) => k.startsWith(prefix) && p.size > 0).map(([key, p]) => ({ key, size: p.size, total: p.total }));
  }
}

export interface CachedModel {
  /** The source key (`hub:<repo>@<rev>` or `url:<base>`). */
  model: string;
  files: number;
  bytes: number;
  partialBytes: number;
  /** Every file verified and stored (the manifest is there) and none known to be bad; false: an interrupted download, or damage. */
  complete: boolean;
  /** Files known to be bad (failed their check when loaded): the model needs them downloaded again. */
  damaged: Damage[];
}

/** Cached models grouped by source key, for the "manage storage" list. */
export async function listCachedModels(store: ModelStore): Promise<CachedModel[]> {
  const models = new Map<string, Omit<CachedModel, 'model'>>();
  const at = (m: string) => models.get(m) ?? models.set(m, { files: 0, bytes: 0, partialBytes: 0, complete: false, damaged: [] }).get(m)!;
  for (const e of await store.list()) {
    const { model, path } = splitKey(e.key);
    const m = at(model);
    if (path === MANIFEST_PATH) {
      m.complete = true;
      continue;
    }
    if (path.startsWith(DAMAGE_DIR)) {
      const file = path.slice(DAMAGE_DIR.length);
      m.damaged.push(parseDamage(file, await (await store.get(e.key))?.blob.text()));
      continue;
    }
    m.files += 1;
    m.bytes += e.size;
  }
  for (const p of await store.listPartials()) at(splitKey(p.key).model).partialBytes += p.size;
  return [...models]
    .map(([model, v]) => ({ model, ...v, complete: v.complete && v.damaged.length === 0 }))
    .sort((a, b) => a.model.localeCompare(b.model));
}

/** Deletes every complete and partial file of a model; returns the number of keys removed. */
export async function deleteCachedModel(store: ModelStore, sourceKey: string): Promise<number> {
  const prefix = `${sourceKey}${KEY_SEPARATOR}`;
  let removed = 0;
  for (const e of await store.list(prefix)) if (await store.delete(e.key)) removed += 1;
  for (const p of await store.listPartials(prefix)) if (await store.deletePartial(p.key)) removed += 1;
  return removed;
}
