// The browser ModelStore on Cache Storage (`caches`): one cache for complete files, one for the records of
// partial downloads, one for the segments downloads write as bytes arrive. A downloaded file stays in its
// segments: its complete record lists them and `get` joins them into one disk-backed Blob, so finishing a
// download copies nothing. Metadata lives in headers so listing never reads bodies. Why Cache Storage:
// docs/models.md.

import { checkPut, type ModelStore, type StoredEntry, type StoredMeta } from './cache';
import { SEGMENT_BYTES, type PartialFile, type PartialInfo } from './partialFile';

/** Bump a version when its stored form changes (old caches are then ignored, and can be deleted). */
const COMPLETE = 'p2p-models-v1';
const PARTIAL = 'p2p-models-partial-v1';
const SEGMENTS = 'p2p-models-segments-v1';
/** Cache Storage keys must be http(s) URLs; this origin is never fetched. */
const KEY_ORIGIN = 'https://p2p-models.invalid/';

const H = {
  size: 'x-p2p-size',
  sha256: 'x-p2p-sha256',
  sha256Source: 'x-p2p-sha256-source',
  etag: 'x-p2p-etag',
  storedAt: 'x-p2p-stored-at',
  total: 'x-p2p-total',
  /** Comma-separated byte sizes of the segments holding the body (absent: the entry's own body is the file). */
  segments: 'x-p2p-segments',
} as const;

function keyUrl(key: string): string {
  return KEY_ORIGIN + encodeURIComponent(key);
}

function keyOf(url: string): string {
  return decodeURIComponent(url.slice(KEY_ORIGIN.length));
}

/** Segment `i` of a file (the encoded key holds no '/', so the prefix names one file's segments only). */
function segmentUrl(key: string, i: number): string {
  return `${keyUrl(key)}/${i}`;
}

function segmentSizes(headers: Headers): number[] | undefined {
  const v = headers.get(H.segments);
  if (v === null) return undefined;
  return v === '' ? [] : v.split(',').map(Number);
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

function metaHeaders(meta: StoredMeta): Record<string, string> {
  const headers: Record<string, string> = { 'content-type': 'application/octet-stream', [H.size]: String(meta.size), [H.storedAt]: String(meta.storedAt) };
  if (meta.sha256) headers[H.sha256] = meta.sha256;
  if (meta.sha256Source) headers[H.sha256Source] = meta.sha256Source;
  if (meta.etag) headers[H.etag] = meta.etag;
  return headers;
}

/** The subset of CacheStorage this store uses (so tests can pass a fake). */
export interface CacheStorageLike {
  open(name: string): Promise<Cache>;
  delete(name: string): Promise<boolean>;
}

export class CacheStorageModelStore implements ModelStore {
  constructor(
    private readonly storage: CacheStorageLike = globalThis.caches,
    /** Bytes a download buffers before writing a segment (tests pass a small one). */
    readonly segmentBytes = SEGMENT_BYTES,
  ) {
    if (!storage) throw new Error('Cache Storage is not available here (needs a secure context: https or localhost)');
  }

  private complete(): Promise<Cache> {
    return this.storage.open(COMPLETE);
  }

  private partial(): Promise<Cache> {
    return this.storage.open(PARTIAL);
  }

  /** @internal for the partial writer */
  segments(): Promise<Cache> {
    return this.storage.open(SEGMENTS);
  }

  async has(key: string): Promise<boolean> {
    return (await (await this.complete()).match(keyUrl(key))) !== undefined;
  }

  async get(key: string): Promise<{ blob: Blob; meta: StoredMeta } | undefined> {
    const response = await (await this.complete()).match(keyUrl(key));
    if (!response) return undefined;
    const meta = metaOf(response.headers);
    const sizes = segmentSizes(response.headers);
    const blob = sizes ? await this.joinSegments(key, sizes) : await response.blob();
    // A truncated entry or a lost segment (storage cleared mid-write by the browser) is treated as absent and removed.
    if (blob === undefined || blob.size !== meta.size) {
      await this.delete(key);
      return undefined;
    }
    return { blob, meta };
  }

  /** The file's segments as one Blob (disk-backed parts, nothing read); undefined when one is missing or cut short. */
  async joinSegments(key: string, sizes: number[]): Promise<Blob | undefined> {
    const cache = await this.segments();
    const parts: Blob[] = [];
    for (let i = 0; i < sizes.length; i++) {
      const part = await (await cache.match(segmentUrl(key, i)))?.blob();
      if (!part || part.size !== sizes[i]) return undefined;
      parts.push(part);
    }
    return new Blob(parts);
  }

  async put(key: string, blob: Blob, meta: StoredMeta): Promise<void> {
    checkPut(key, blob, meta);
    // cache.put resolves once the whole body is written; until then the entry is not visible.
    await (await this.complete()).put(keyUrl(key), new Response(blob, { headers: { ...metaHeaders(meta), 'content-length': String(meta.size) } }));
    await this.deletePartial(key);
    await this.dropSegments(key);
  }

  /** Makes the segments the complete file: a record that lists them (the bytes are not copied). */
  async commitSegments(key: string, sizes: number[], meta: StoredMeta): Promise<void> {
    await (await this.complete()).put(keyUrl(key), new Response(null, { headers: { ...metaHeaders(meta), [H.segments]: sizes.join(',') } }));
    await (await this.partial()).delete(keyUrl(key));
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
    const hadPartial = await (await this.partial()).delete(keyUrl(key));
    await this.dropSegments(key);
    return had || hadPartial;
  }

  async usage(): Promise<number> {
    let bytes = 0;
    for (const e of await this.list()) bytes += e.size;
    for (const p of await this.listPartials()) bytes += p.size;
    return bytes;
  }

  async openPartial(key: string): Promise<PartialFile> {
    const record = await (await this.partial()).match(keyUrl(key));
    const writer = new SegmentWriter(this, key);
    if (record) await writer.restore(record);
    return writer;
  }

  /** Writes the record of a partial download: what its bytes belong to and its segments' sizes. */
  async putPartialRecord(key: string, info: PartialInfo, sizes: number[]): Promise<void> {
    const size = sizes.reduce((n, s) => n + s, 0);
    const headers: Record<string, string> = { [H.size]: String(size), [H.storedAt]: String(Date.now()), [H.segments]: sizes.join(',') };
    if (info.etag) headers[H.etag] = info.etag;
    if (info.total !== undefined) headers[H.total] = String(info.total);
    await (await this.partial()).put(keyUrl(key), new Response(null, { headers }));
  }

  async deletePartial(key: string): Promise<boolean> {
    const had = await (await this.partial()).delete(keyUrl(key));
    // A complete file made of segments keeps them.
    if (!(await this.has(key))) await this.dropSegments(key);
    return had;
  }

  /** Deletes every segment of a file, those no record names included (a write cut short by a reload). */
  async dropSegments(key: string): Promise<void> {
    const cache = await this.segments();
    const prefix = `${keyUrl(key)}/`;
    for (const request of await cache.keys()) if (request.url.startsWith(prefix)) await cache.delete(request);
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

/**
 * A download's bytes in Cache Storage: buffered up to the store's segmentBytes, then written as the next segment and
 * recorded in the partial record (segment first, record second: a reload in between leaves an unnamed
 * segment that the next write replaces). A reload loses at most the bytes still buffered.
 */
class SegmentWriter implements PartialFile {
  etag?: string;
  total?: number;
  private sizes: number[] = [];
  private stored: Blob[] = [];
  private buffer: Uint8Array[] = [];
  private buffered = 0;
  private infoChanged = false;

  constructor(
    private readonly store: CacheStorageModelStore,
    private readonly key: string,
  ) {}

  get size(): number {
    return this.sizes.reduce((n, s) => n + s, 0) + this.buffered;
  }

  /** Takes up a kept partial: its segments while they are all there (the rest is dropped). */
  async restore(record: Response): Promise<void> {
    const h = record.headers;
    this.etag = h.get(H.etag) ?? undefined;
    const total = h.get(H.total);
    this.total = total ? Number(total) : undefined;
    const sizes = segmentSizes(h);
    if (sizes === undefined) {
      // The first form kept the bytes in the record itself: they become segment 0.
      const body = await record.blob();
      if (body.size > 0) await (await this.store.segments()).put(segmentUrl(this.key, 0), new Response(body));
      this.sizes = body.size > 0 ? [body.size] : [];
      this.stored = body.size > 0 ? [body] : [];
      await this.store.putPartialRecord(this.key, this, this.sizes);
      return;
    }
    const cache = await this.store.segments();
    for (let i = 0; i < sizes.length; i++) {
      const part = await (await cache.match(segmentUrl(this.key, i)))?.blob();
      if (!part || part.size !== sizes[i]) break;
      this.sizes.push(part.size);
      this.stored.push(part);
    }
    if (this.sizes.length !== sizes.length) await this.store.putPartialRecord(this.key, this, this.sizes);
  }

  describe(info: PartialInfo): void {
    this.etag = info.etag;
    this.total = info.total;
    this.infoChanged = true;
  }

  async append(bytes: Uint8Array): Promise<void> {
    this.buffer.push(bytes);
    this.buffered += bytes.byteLength;
    if (this.buffered >= this.store.segmentBytes) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.buffered > 0) {
      const segment = new Blob(this.buffer as BlobPart[]);
      const url = segmentUrl(this.key, this.sizes.length);
      const cache = await this.store.segments();
      await cache.put(url, new Response(segment));
      // Keep the stored (disk-backed) copy, not the buffered bytes.
      this.stored.push((await (await cache.match(url))?.blob()) ?? segment);
      this.sizes.push(segment.size);
      this.buffer = [];
      this.buffered = 0;
    } else if (!this.infoChanged) {
      return;
    }
    this.infoChanged = false;
    await this.store.putPartialRecord(this.key, this, this.sizes);
  }

  async clear(): Promise<void> {
    this.sizes = [];
    this.stored = [];
    this.buffer = [];
    this.buffered = 0;
    this.etag = undefined;
    this.total = undefined;
    this.infoChanged = false;
    await this.store.deletePartial(this.key);
  }

  async blob(): Promise<Blob> {
    return new Blob([...this.stored, ...(this.buffer as BlobPart[])]);
  }

  async commit(meta: StoredMeta): Promise<void> {
    await this.flush();
    checkPut(this.key, await this.blob(), meta);
    await this.store.commitSegments(this.key, this.sizes, meta);
  }
}
