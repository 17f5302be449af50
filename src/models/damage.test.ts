// Load-time checks of cached files on the mock Hub (in-memory store): a file overwritten with bytes of
// the same length, cut short, gone, or unchanged; what is recorded, what the listing says, that nothing
// downloads again before dropDamaged, and that afterwards exactly the bad file is fetched.

import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { startMockHub, type MockHub } from '../../scripts/mock-hub';
import { fakeBytes, makeFakeModel } from '../../scripts/mock-hub/fixture';
import { fileKey, listCachedModels, MemoryModelStore } from './cache';
import { dropDamaged, listDamage } from './damage';
import { ensureModel } from './ensureModel';
import { ModelError } from './errors';
import { sourceKey, type ModelSource } from './source';

let hub: MockHub | undefined;
afterEach(async () => {
  await hub?.close();
  hub = undefined;
});

const fast = { retries: 1, backoffMs: 5, storage: { estimate: async () => ({ quota: 1e9, usage: 0 }) } };
const UNET = 'unet/model.onnx';
const SCHEDULER = 'scheduler/scheduler_config.json';
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** A model downloaded into a fresh store; the server's request log emptied. */
async function cachedModel(): Promise<{ source: ModelSource; key: string; store: MemoryModelStore; files: Record<string, Uint8Array> }> {
  const model = await makeFakeModel();
  hub = await startMockHub({ root: model.dir, repo: 'test/fake-sd' });
  const source: ModelSource = { kind: 'hub', repo: 'test/fake-sd', revision: 'main', endpoint: hub.url };
  const store = new MemoryModelStore();
  await ensureModel(source, { store, ...fast });
  hub.requests.length = 0;
  return { source, key: sourceKey(source), store, files: model.files };
}

/** Replaces a stored file's bytes, keeping its recorded metadata (what a damaged disk or a stray write does). */
async function overwrite(store: MemoryModelStore, key: string, path: string, bytes: Uint8Array): Promise<void> {
  const stored = (await store.get(fileKey(key, path)))!;
  await store.put(fileKey(key, path), new Blob([bytes as BlobPart]), { ...stored.meta, size: bytes.byteLength });
}

async function failure(p: Promise<unknown>): Promise<ModelError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(ModelError);
  return err as ModelError;
}

describe('cached files are checked when loaded', () => {
  it('a UNet overwritten with bytes of the same length fails its published sha256, is recorded, and comes back only after dropDamaged', async () => {
    const { source, key, store, files } = await cachedModel();
    const good = files[UNET];
    const bad = fakeBytes(good.byteLength, 99);
    expect(bad.byteLength).toBe(good.byteLength);
    await overwrite(store, key, UNET, bad);

    const model = await ensureModel(source, { store, ...fast }); // the manifest is there: no network
    const err = await failure(model.bytes(UNET));
    expect(err.code).toBe('damaged');
    expect(err.file).toBe(UNET);
    expect(err.message).toContain(`${UNET} of test/fake-sd is damaged in this browser's cache: its sha256 is ${sha(bad).slice(0, 12)}…, the published one is ${sha(good).slice(0, 12)}…`);
    expect(err.message).toMatch(/Re-download it \(256(\.0)? kB\) to use test\/fake-sd again\.$/);

    // The listing no longer calls it complete, and names the file and its size.
    const [listed] = await listCachedModels(store);
    expect(listed).toMatchObject({ complete: false, damaged: [{ path: UNET, reason: 'sha256', size: good.byteLength }] });

    // Without consent nothing downloads: the next load stops at once with the same file named.
    const again = await failure(ensureModel(source, { store, ...fast }));
    expect(again).toMatchObject({ code: 'damaged', file: UNET });
    expect(hub!.requests).toEqual([]);

    // With consent: the bad file, its marker and the manifest go; the next load fetches only that file.
    expect(await dropDamaged(store, key)).toEqual([UNET]);
    expect(await listDamage(store, key)).toEqual([]);
    const repaired = await ensureModel(source, { store, ...fast });
    expect(hub!.requests.filter((r) => !r.path.startsWith('/') && r.path !== 'model_index.json').map((r) => r.path)).toEqual([UNET]);
    expect(sha(await repaired.bytes(UNET))).toBe(sha(good));
    expect((await listCachedModels(store))[0]).toMatchObject({ complete: true, damaged: [] });
  });

  it('a file without a published digest is checked against the sha256 taken at download', async () => {
    const { source, key, store, files } = await cachedModel();
    expect((await store.get(fileKey(key, SCHEDULER)))!.meta).toMatchObject({ sha256: sha(files[SCHEDULER]), sha256Source: 'download' });
    expect((await store.get(fileKey(key, UNET)))!.meta).toMatchObject({ sha256: sha(files[UNET]), sha256Source: 'published' });
    const text = new TextDecoder().decode(files[SCHEDULER]).replace('PNDM', 'DDIM');
    await overwrite(store, key, SCHEDULER, new TextEncoder().encode(text));
    const model = await ensureModel(source, { store, ...fast });
    const err = await failure(model.json(SCHEDULER));
    expect(err).toMatchObject({ code: 'damaged', file: SCHEDULER });
    expect(err.message).toContain('at download it was');
  });

  it('a file of the wrong size, or gone, is recorded too; an intact model passes and its checks are counted', async () => {
    const { source, key, store, files } = await cachedModel();
    const model = await ensureModel(source, { store, ...fast });
    for (const path of model.paths()) await model.bytes(path);
    expect(model.checks.map((c) => c.path).sort()).toEqual(model.paths().sort());
    expect(model.checks.every((c) => c.sha256 && c.bytes === files[c.path].byteLength)).toBe(true);

    await overwrite(store, key, UNET, files[UNET].subarray(0, 1000));
    await store.delete(fileKey(key, 'vae_decoder/model.onnx'));
    expect((await failure(model.bytes(UNET))).message).toContain(`${UNET} of test/fake-sd is damaged in this browser's cache: 1000 bytes stored, ${files[UNET].byteLength} expected.`);
    expect((await failure(model.bytes('vae_decoder/model.onnx'))).message).toContain('is no longer in this browser');
    const err = await failure(ensureModel(source, { store, ...fast }));
    expect(err.message).toMatch(/Re-download these 2 files \(286 kB\) to use test\/fake-sd again\.$/);
    expect((await listDamage(store, key)).map((d) => d.reason)).toEqual(['size', 'missing']);
  });

  it('entries stored without any digest (older caches) are checked by size only', async () => {
    const { source, key, store } = await cachedModel();
    const stored = (await store.get(fileKey(key, SCHEDULER)))!;
    await store.put(fileKey(key, SCHEDULER), stored.blob, { size: stored.meta.size, storedAt: stored.meta.storedAt });
    const model = await ensureModel(source, { store, ...fast });
    await model.bytes(SCHEDULER);
    expect(model.checks).toEqual([expect.objectContaining({ path: SCHEDULER, sha256: false })]);
  });
});
