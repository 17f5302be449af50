// The browser ModelStore on Cache Storage (`caches`): one cache for verified files, one for partial
// downloads; metadata in response headers so listing never reads bodies. Why Cache Storage: docs/models.md.

import { checkPut, type ModelStore, type StoredEntry, type StoredMeta } from './cache';
import type { PartialDownload } from './download';

/** Bump the version when the stored form changes (old caches are then ignored, and can be deleted). */
const COMPLETE = 'p2p-models-v1';
const PARTIAL = 'p2p-models-partial-v1';
/** Cache Storage keys must be http(s) URLs; this origin is never fetched. */
const KEY_ORIGIN = 'https://p2p-models.invalid/';

const H = { size: 'x-p2p-size', sha256: 'x-p2p-sha256', sha256Source: 'x-p2p-sha256-source', etag: 'x-p2p-etag', storedAt: 'x-p2p-stored-at', total: 'x-p2p-total' } as const;

function keyUrl(key: string): string {
  return KEY_ORIGIN + encodeURIComponent(key);
}

function keyOf(url: string): string {
  return decodeURIComponent(url.slice(KEY_ORIGIN.length));
}

function metaOf(headers: Headers): StoredMeta {
  const meta: StoredMeta = { size: Number(headers.get(H.size) ?? 0), storedAt: Number(headers.get(H.storedAt) ?? 0) };
  const sha256 = headers.get(H.sha256);
  const etag = headers.get(H.etag);
  const sha256Source = headers.get(H.sha256Source);
  if (sha256) meta.sha256 = sha256;
  if (sha256Source === 'published' || sha256Source === 'download') meta.sha256Source = sha256Source;
  if (etag) meta.etag = etag;
  return meta;
}

/** The subset of CacheStorage this store uses (so tests can pass a fake). */
export interface CacheStorageLike {
  open(name: string): Promise<Cache>;
  delete(name: string): Promise<boolean>;
}

export class CacheStorageModelStore implements ModelStore {
  constructor(private readonly storage: CacheStorageLike = globalThis.caches) {
    if (!storage) throw new Error('Cache Storage is not available here (needs a secure context: https or localhost)');
  }

  private complete(): Promise<Cache> {
    return this.storage.open(COMPLETE);
  }

  private partial(): Promise<Cache> {
    return this.storage.open(PARTIAL);
  }

  async has(key: string): Promise<boolean> {
    return (await (await this.complete()).match(keyUrl(key))) !== undefined;
  }

  async get(key: string): Promise<{ blob: Blob; meta: StoredMeta } | undefined> {
    const response = await (await this.complete()).match(keyUrl(key));
    if (!response) return undefined;
    const meta = metaOf(response.headers);
    const blob = await response.blob();
    // A truncated entry (storage cleared mid-write by the browser) is treated as absent and removed.
    if (blob.size !== meta.size) {
      await this.delete(key);
      return undefined;
    }
    return { blob, meta };
  }

  async put(key: string, blob: Blob, meta: StoredMeta): Promise<void> {
    checkPut(key, blob, meta);
    const headers: Record<string, string> = {
      'content-type': 'application/octet-stream',
      'content-length': String(meta.size),
      [H.size]: String(meta.size),
      [H.storedAt]: String(meta.storedAt),
    };
    if (meta.sha256) headers[H.sha256] = meta.sha256;
    if (meta.sha256Source) headers[H.sha256Source] = meta.sha256Source;
    if (meta.etag) headers[H.etag] = meta.etag;
    // cache.put resolves once the whole body is written; until then the entry is not visible.
    await (await this.complete()).put(keyUrl(key), new Response(blob, { headers }));
    await this.deletePartial(key);
  }

  async list(prefix = ''): Promise<StoredEntry[]> {
    const cache = await this.complete();
    const entries: StoredEntry[] = [];
    for (const request of await cache.keys()) {
      const key = keyOf(request.url);
      if (!key.startsWith(prefix)) continue;
      const response = await cache.match(request);
      if (response) entries.push({ key, ...metaOf(response.headers) });
    }
    return entries;
  }

  async delete(key: string): Promise<boolean> {
    const had = await (await this.complete()).delete(keyUrl(key));
    return (await this.deletePartial(key)) || had;
  }

  async usage(): Promise<number> {
    let bytes = 0;
    for (const e of await this.list()) bytes += e.size;
    for (const p of await this.listPartials()) bytes += p.size;
    return bytes;
  }

  async getPartial(key: string): Promise<PartialDownload | undefined> {
    const response = await (await this.partial()).match(keyUrl(key));
    if (!response) return undefined;
    const partial: PartialDownload = { blob: await response.blob() };
    const etag = response.headers.get(H.etag);
    const total = response.headers.get(H.total);
    if (etag) partial.etag = etag;
    if (total) partial.total = Number(total);
    return partial;
  }

  async putPartial(key: string, partial: PartialDownload): Promise<void> {
    if (await this.has(key)) return;
    const headers: Record<string, string> = { [H.size]: String(partial.blob.size), [H.storedAt]: String(Date.now()) };
    if (partial.etag) headers[H.etag] = partial.etag;
    if (partial.total !== undefined) headers[H.total] = String(partial.total);
    await (await this.partial()).put(keyUrl(key), new Response(partial.blob, { headers }));
  }

  async deletePartial(key: string): Promise<boolean> {
    return (await this.partial()).delete(keyUrl(key));
  }

  async listPartials(prefix = ''): Promise<{ key: string; size: number; total?: number }[]> {
    const cache = await this.partial();
    const out: { key: string; size: number; total?: number }[] = [];
    for (const request of await cache.keys()) {
      const key = keyOf(request.url);
      if (!key.startsWith(prefix)) continue;
      const headers = (await cache.match(request))?.headers;
      const total = headers?.get(H.total);
      out.push({ key, size: Number(headers?.get(H.size) ?? 0), ...(total ? { total: Number(total) } : {}) });
    }
    return out;
  }
}
