// Promotion rules of the model stores: partials are kept apart and never served as files; only a blob
// of the declared size is stored as complete; putting a file drops its partial; listing and deleting models.

import { describe, expect, it } from 'vitest';
import { deleteCachedModel, fileKey, listCachedModels, MemoryModelStore, type ModelStore } from './cache';
import { CacheStorageModelStore, type CacheStorageLike } from './cacheStorage';
import { ModelError } from './errors';

/** A Map-backed stand-in for the browser's Cache Storage (Node has none). */
function fakeCaches(): CacheStorageLike {
  const caches = new Map<string, Map<string, { body: Blob; headers: [string, string][] }>>();
  const open = async (name: string): Promise<Cache> => {
    const entries = caches.get(name) ?? caches.set(name, new Map()).get(name)!;
    const url = (r: RequestInfo | URL): string => (typeof r === 'string' ? r : r instanceof URL ? r.href : r.url);
    const fake = {
      match: async (r: RequestInfo | URL) => {
        const e = entries.get(url(r));
        return e ? new Response(e.body, { headers: e.headers }) : undefined;
      },
      put: async (r: RequestInfo | URL, response: Response) => {
        entries.set(url(r), { body: await response.blob(), headers: [...response.headers] });
      },
      delete: async (r: RequestInfo | URL) => entries.delete(url(r)),
      keys: async () => [...entries.keys()].map((u) => new Request(u)),
    };
    // The store only calls match/put/delete/keys; the rest of the Cache interface is not needed.
    return fake as unknown as Cache;
  };
  return { open, delete: async (name: string) => caches.delete(name) };
}

const stores: [string, () => ModelStore][] = [
  ['memory', () => new MemoryModelStore()],
  ['Cache Storage (fake)', () => new CacheStorageModelStore(fakeCaches())],
];

const blob = (n: number) => new Blob([new Uint8Array(n).fill(7)]);
const meta = (size: number) => ({ size, storedAt: 1, sha256: 'ab'.repeat(32), etag: '"e"' });

describe.each(stores)('%s store', (_name, make) => {
  const key = fileKey('hub:o/r@main', 'unet/model.onnx');

  it('keeps partials apart: not visible as a file, listed separately', async () => {
    const store = make();
    await store.putPartial(key, { blob: blob(10), etag: '"e"', total: 100 });
    expect(await store.has(key)).toBe(false);
    expect(await store.get(key)).toBeUndefined();
    expect(await store.list()).toEqual([]);
    expect(await store.listPartials()).toEqual([{ key, size: 10, total: 100 }]);
    const partial = await store.getPartial(key);
    expect(partial?.blob.size).toBe(10);
    expect(partial).toMatchObject({ etag: '"e"', total: 100 });
    expect(await store.usage()).toBe(10);
  });

  it('refuses to store a blob whose size is not the declared one', async () => {
    const store = make();
    await expect(store.put(key, blob(99), meta(100))).rejects.toBeInstanceOf(ModelError);
    expect(await store.has(key)).toBe(false);
  });

  it('promotes: put stores the file with its metadata and drops the partial', async () => {
    const store = make();
    await store.putPartial(key, { blob: blob(10) });
    await store.put(key, blob(100), meta(100));
    expect(await store.has(key)).toBe(true);
    const got = await store.get(key);
    expect(got?.blob.size).toBe(100);
    expect(got?.meta).toMatchObject(meta(100));
    expect(await store.getPartial(key)).toBeUndefined();
    // A partial for a file already complete is pointless and not kept.
    await store.putPartial(key, { blob: blob(5) });
    expect(await store.listPartials()).toEqual([]);
    expect(await store.list()).toEqual([{ key, ...meta(100) }]);
  });

  it('lists models and deletes one with its partials', async () => {
    const store = make();
    await store.put(key, blob(100), meta(100));
    await store.put(fileKey('hub:o/r@main', 'model_index.json'), blob(3), meta(3));
    await store.putPartial(fileKey('hub:o/r@main', 'unet/weights.pb'), { blob: blob(50) });
    await store.put(fileKey('url:https://x/', 'model_index.json'), blob(4), meta(4));
    expect(await listCachedModels(store)).toEqual([
      { model: 'hub:o/r@main', files: 2, bytes: 103, partialBytes: 50, complete: false, damaged: [] },
      { model: 'url:https://x/', files: 1, bytes: 4, partialBytes: 0, complete: false, damaged: [] },
    ]);
    expect(await deleteCachedModel(store, 'hub:o/r@main')).toBe(3);
    expect(await store.usage()).toBe(4);
  });
});

describe('CacheStorageModelStore', () => {
  it('treats an entry truncated by the browser as absent and removes it', async () => {
    const caches = fakeCaches();
    const store = new CacheStorageModelStore(caches);
    const key = fileKey('hub:o/r@main', 'a');
    await store.put(key, blob(10), meta(10));
    const cache = await caches.open('p2p-models-v1');
    const [request] = await cache.keys();
    const old = (await cache.match(request))!;
    await cache.put(request, new Response(blob(4), { headers: old.headers }));
    expect(await store.get(key)).toBeUndefined();
    expect(await store.has(key)).toBe(false);
  });
});
