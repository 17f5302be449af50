// Promotion rules of the model stores: partials are kept apart and never served as files; only bytes
// of the declared size are stored as complete; putting or committing a file drops its partial; listing and
// deleting models. Cache Storage: a download's segments survive a reload and become the file uncopied.

import { describe, expect, it } from 'vitest';
import { deleteCachedModel, fileKey, listCachedModels, MemoryModelStore, type ModelStore } from './cache';
import { fakeCaches } from '../../tests/helpers/fakeCaches';
import { CacheStorageModelStore, type CacheStorageLike } from './cacheStorage';
import { ModelError } from './errors';

const stores: [string, () => ModelStore][] = [
  ['memory', () => new MemoryModelStore()],
  ['Cache Storage (fake)', () => new CacheStorageModelStore(fakeCaches(), 16)],
];

const blob = (n: number) => new Blob([new Uint8Array(n).fill(7)]);
const bytes = (n: number, from = 0) => Uint8Array.from({ length: n }, (_, i) => (from + i) % 251);
const meta = (size: number) => ({ size, storedAt: 1, sha256: 'ab'.repeat(32), etag: '"e"' });

/** A partial of `n` bytes (0, 1, 2, … mod 251) that belongs to `info`, flushed. */
async function keepPartial(store: ModelStore, key: string, n: number, info: { etag?: string; total?: number } = {}): Promise<void> {
  const partial = await store.openPartial(key);
  partial.describe(info);
  await partial.append(bytes(n));
  await partial.flush();
}

describe.each(stores)('%s store', (_name, make) => {
  const key = fileKey('hub:o/r@main', 'unet/model.onnx');

  it('keeps partials apart: not visible as a file, listed separately, reopened with their bytes', async () => {
    const store = make();
    await keepPartial(store, key, 40, { etag: '"e"', total: 100 });
    expect(await store.has(key)).toBe(false);
    expect(await store.get(key)).toBeUndefined();
    expect(await store.list()).toEqual([]);
    expect(await store.listPartials()).toEqual([{ key, size: 40, total: 100 }]);
    const partial = await store.openPartial(key);
    expect(partial).toMatchObject({ size: 40, etag: '"e"', total: 100 });
    expect(new Uint8Array(await (await partial.blob()).arrayBuffer())).toEqual(bytes(40));
    expect(await store.usage()).toBe(40);
  });

  it('commits a partial as the complete file, which reads back byte for byte', async () => {
    const store = make();
    await keepPartial(store, key, 40);
    const partial = await store.openPartial(key);
    await partial.append(bytes(60, 40));
    await expect(partial.commit(meta(99))).rejects.toBeInstanceOf(ModelError);
    await partial.commit(meta(100));
    expect(await store.listPartials()).toEqual([]);
    const got = await store.get(key);
    expect(got?.meta).toMatchObject(meta(100));
    expect(new Uint8Array(await got!.blob.arrayBuffer())).toEqual(bytes(100));
    expect(await store.usage()).toBe(100);
  });

  it('clears a partial whose bytes belong to another file', async () => {
    const store = make();
    await keepPartial(store, key, 40, { etag: '"old"' });
    const partial = await store.openPartial(key);
    await partial.clear();
    expect(partial.size).toBe(0);
    expect(await store.listPartials()).toEqual([]);
    expect((await store.openPartial(key)).size).toBe(0);
  });

  it('refuses to store a blob whose size is not the declared one', async () => {
    const store = make();
    await expect(store.put(key, blob(99), meta(100))).rejects.toBeInstanceOf(ModelError);
    expect(await store.has(key)).toBe(false);
  });

  it('promotes: put stores the file with its metadata and drops the partial', async () => {
    const store = make();
    await keepPartial(store, key, 10);
    await store.put(key, blob(100), meta(100));
    expect(await store.has(key)).toBe(true);
    const got = await store.get(key);
    expect(got?.blob.size).toBe(100);
    expect(got?.meta).toMatchObject(meta(100));
    expect(await store.listPartials()).toEqual([]);
    expect(await store.list()).toEqual([{ key, ...meta(100) }]);
  });

  it('lists models and deletes one with its partials', async () => {
    const store = make();
    await store.put(key, blob(100), meta(100));
    await store.put(fileKey('hub:o/r@main', 'model_index.json'), blob(3), meta(3));
    await keepPartial(store, fileKey('hub:o/r@main', 'unet/weights.pb'), 50);
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
  const key = fileKey('hub:o/r@main', 'unet/model.onnx');
  const names = async (caches: CacheStorageLike, name: string) => (await (await caches.open(name)).keys()).map((r) => r.url);

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

  it('writes a segment each time one fills, so a reload (a new store on the same caches) keeps all but the buffered bytes', async () => {
    const caches = fakeCaches();
    const partial = await new CacheStorageModelStore(caches, 16).openPartial(key);
    partial.describe({ etag: '"e"', total: 100 });
    for (let at = 0; at < 45; at += 5) await partial.append(bytes(5, at));
    // 45 bytes appended: two 20-byte segments written (16 reached at 20, then at 40), 5 still buffered.
    expect(await names(caches, 'p2p-models-segments-v1')).toHaveLength(2);
    const reloaded = await new CacheStorageModelStore(caches, 16).openPartial(key);
    expect(reloaded).toMatchObject({ size: 40, etag: '"e"', total: 100 });
    expect(new Uint8Array(await (await reloaded.blob()).arrayBuffer())).toEqual(bytes(40));
  });

  it('commits without copying: the complete record names the segments and has no body', async () => {
    const caches = fakeCaches();
    const store = new CacheStorageModelStore(caches, 16);
    const partial = await store.openPartial(key);
    await partial.append(bytes(50));
    await partial.commit(meta(50));
    const record = (await (await caches.open('p2p-models-v1')).match((await names(caches, 'p2p-models-v1'))[0]))!;
    expect((await record.blob()).size).toBe(0);
    expect(record.headers.get('x-p2p-segments')).toBe('50');
    expect(new Uint8Array(await (await store.get(key))!.blob.arrayBuffer())).toEqual(bytes(50));
    // Dropping a partial that no longer exists keeps the complete file's segments; deleting the file drops them.
    await store.deletePartial(key);
    expect(await store.get(key)).toBeDefined();
    await store.delete(key);
    expect(await names(caches, 'p2p-models-segments-v1')).toEqual([]);
  });

  it('treats a complete file with a lost segment as absent, and a partial keeps only its intact leading segments', async () => {
    const caches = fakeCaches();
    const store = new CacheStorageModelStore(caches, 16);
    let partial = await store.openPartial(key);
    for (let at = 0; at < 60; at += 20) await partial.append(bytes(20, at));
    await partial.flush();
    const segments = await caches.open('p2p-models-segments-v1');
    await segments.delete((await names(caches, 'p2p-models-segments-v1')).find((u) => u.endsWith('/1'))!);
    partial = await store.openPartial(key);
    expect(partial.size).toBe(20);
    expect((await store.listPartials())[0].size).toBe(20);

    const done = fileKey('hub:o/r@main', 'vae_decoder/model.onnx');
    const whole = await store.openPartial(done);
    await whole.append(bytes(40));
    await whole.commit(meta(40));
    await segments.delete((await names(caches, 'p2p-models-segments-v1')).find((u) => u.includes('vae_decoder'))!);
    expect(await store.get(done)).toBeUndefined();
    expect(await store.has(done)).toBe(false);
  });

  it('takes up a partial kept in the first form (bytes in the record itself) as its first segment', async () => {
    const caches = fakeCaches();
    const record = await caches.open('p2p-models-partial-v1');
    await record.put('https://p2p-models.invalid/' + encodeURIComponent(key), new Response(new Blob([bytes(30)]), { headers: { 'x-p2p-size': '30', 'x-p2p-etag': '"e"', 'x-p2p-total': '90' } }));
    const store = new CacheStorageModelStore(caches, 16);
    const partial = await store.openPartial(key);
    expect(partial).toMatchObject({ size: 30, etag: '"e"', total: 90 });
    await partial.append(bytes(60, 30));
    await partial.commit(meta(90));
    expect(new Uint8Array(await (await store.get(key))!.blob.arrayBuffer())).toEqual(bytes(90));
  });
});
