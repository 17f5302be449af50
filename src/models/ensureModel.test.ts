// ensureModel end to end on the mock Hub with the in-memory store: parallel download with overall
// progress, reuse with the server stopped, and each bad input leaving nothing cached as complete.

import { afterEach, describe, expect, it } from 'vitest';
import { startMockHub, type MockHub } from '../../scripts/mock-hub';
import { makeFakeModel } from '../../scripts/mock-hub/fixture';
import { fakeCaches } from '../../tests/helpers/fakeCaches';
import { listCachedModels, MemoryModelStore, deleteCachedModel } from './cache';
import { CacheStorageModelStore } from './cacheStorage';
import { ensureModel } from './ensureModel';
import { ModelError } from './errors';
import type { OverallProgress } from './progress';
import type { ModelEntry } from './registry';
import { sourceKey, type ModelSource } from './source';

let hub: MockHub | undefined;
afterEach(async () => {
  await hub?.close();
  hub = undefined;
});

async function serve(opts: Parameters<typeof makeFakeModel>[0] = {}): Promise<{ source: ModelSource; files: Record<string, Uint8Array> }> {
  const model = await makeFakeModel(opts);
  hub = await startMockHub({ root: model.dir, repo: 'test/fake-sd' });
  return { source: { kind: 'hub', repo: 'test/fake-sd', revision: 'main', endpoint: hub.url }, files: model.files };
}

async function failure(p: Promise<unknown>): Promise<ModelError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(ModelError);
  return err as ModelError;
}

const roomy = { estimate: async () => ({ quota: 1e9, usage: 0 }) };
const fast = { retries: 2, backoffMs: 5, storage: roomy };

describe('ensureModel', () => {
  it('downloads an external-weights model with overall progress, then serves it with the server stopped', async () => {
    const { source, files } = await serve({ weightsBytes: 300_000 });
    const store = new MemoryModelStore();
    const events: OverallProgress[] = [];
    const model = await ensureModel(source, { store, ...fast, onProgress: (p) => events.push(p) });
    expect(model.paths()).toContain('unet/weights.pb');
    expect(Buffer.from(await model.bytes('unet/weights.pb')).equals(Buffer.from(files['unet/weights.pb']))).toBe(true);
    const last = events[events.length - 1];
    expect(last.filesDone).toBe(last.files);
    expect(last.loaded).toBe(last.total);
    expect(await model.json('vae_decoder/config.json', true)).toBeUndefined();
    expect(await model.json('unet/config.json', true)).toEqual({ sample_size: 8 }); // optional, absent: recorded, not fetched again

    await hub!.close();
    hub = undefined;
    const again = await ensureModel(source, { store, ...fast });
    expect((await again.range('unet/weights.pb', 10, 20)).byteLength).toBe(10);
    expect(await listCachedModels(store)).toEqual([expect.objectContaining({ model: sourceKey(source), files: 10, partialBytes: 0, complete: true })]);
  });

  it('resumes a dropped file inside a model download', async () => {
    const { source, files } = await serve({ weightsBytes: 300_000 });
    hub!.faults.add({ fault: 'drop', path: 'unet/weights.pb', times: 1, dropAfter: 123_456 });
    const model = await ensureModel(source, { store: new MemoryModelStore(), ...fast });
    expect(Buffer.from(await model.bytes('unet/weights.pb')).equals(Buffer.from(files['unet/weights.pb']))).toBe(true);
    expect(hub!.requests.filter((r) => r.path === 'unet/weights.pb').map((r) => r.range)).toEqual([undefined, 'bytes=123456-']);
  });

  it('a wrong length fails the model and nothing of that file, nor the manifest, is complete', async () => {
    const { source } = await serve();
    hub!.faults.add({ fault: 'wrong-length', path: 'unet/model.onnx' });
    const store = new MemoryModelStore();
    expect((await failure(ensureModel(source, { store, ...fast }))).code).toBe('length');
    const keys = (await store.list()).map((e) => e.key);
    expect(keys.some((k) => k.endsWith('unet/model.onnx') || k.endsWith('.p2p-manifest.json'))).toBe(false);
    expect((await store.listPartials()).some((p) => p.key.endsWith('unet/model.onnx'))).toBe(false);
    // Once the server is right, the next call completes (the files already verified are kept).
    hub!.faults.clear();
    hub!.requests.length = 0;
    await ensureModel(source, { store, ...fast });
    expect(hub!.requests.filter((r) => r.path === 'text_encoder/model.onnx')).toHaveLength(0);
  });

  it('cancelling leaves no complete model, and the next call resumes', async () => {
    const { source } = await serve({ weightsBytes: 400_000 });
    hub!.faults.add({ fault: 'trickle', path: 'unet/weights.pb', chunkBytes: 20_000, delayMs: 10 });
    const store = new MemoryModelStore();
    const controller = new AbortController();
    const run = ensureModel(source, { store, ...fast, concurrency: 4, signal: controller.signal, onProgress: (p) => (p.byFile['unet/weights.pb']?.loaded ?? 0) > 100_000 && controller.abort(new Error('cancelled by the user')) });
    expect((await failure(run)).code).toBe('aborted');
    expect((await listCachedModels(store))[0]).toMatchObject({ complete: false, partialBytes: expect.any(Number) });
    expect((await listCachedModels(store))[0].partialBytes).toBeGreaterThan(0);
    expect((await store.list()).some((e) => e.key.endsWith('.p2p-manifest.json'))).toBe(false);
    hub!.faults.clear();
    await ensureModel(source, { store, ...fast });
    const weights = hub!.requests.filter((r) => r.path === 'unet/weights.pb');
    expect(weights[weights.length - 1].range).toMatch(/^bytes=[1-9]\d*-$/);
    expect(await deleteCachedModel(store, sourceKey(source))).toBeGreaterThan(10);
    expect(await store.usage()).toBe(0);
  });

  it('after a reload mid-download (a new store on the same Cache Storage) resumes from the segments written', async () => {
    const { source, files } = await serve({ weightsBytes: 400_000 });
    hub!.faults.add({ fault: 'trickle', path: 'unet/weights.pb', chunkBytes: 20_000, delayMs: 10 });
    const caches = fakeCaches();
    const controller = new AbortController();
    const first = ensureModel(source, { store: new CacheStorageModelStore(caches, 50_000), ...fast, signal: controller.signal, onProgress: (p) => (p.byFile['unet/weights.pb']?.loaded ?? 0) > 150_000 && controller.abort(new Error('page closed')) });
    expect((await failure(first)).code).toBe('aborted');
    const segments = (await (await caches.open('p2p-models-segments-v1')).keys()).filter((r) => r.url.includes('weights.pb'));
    expect(segments.length).toBeGreaterThanOrEqual(3);

    hub!.faults.clear();
    hub!.requests.length = 0;
    const store = new CacheStorageModelStore(caches, 50_000);
    const kept = (await store.listPartials()).find((p) => p.key.endsWith('unet/weights.pb'))!.size;
    const model = await ensureModel(source, { store, ...fast });
    expect(hub!.requests.filter((r) => r.path === 'unet/weights.pb').map((r) => r.range)).toEqual([`bytes=${kept}-`]);
    expect(Buffer.from(await model.bytes('unet/weights.pb')).equals(Buffer.from(files['unet/weights.pb']))).toBe(true);
    expect(await store.listPartials()).toEqual([]);
  });

  it('storage full in the middle of a download is a quota error naming the file', async () => {
    const { source } = await serve({ weightsBytes: 300_000 });
    const store = new MemoryModelStore();
    const open = store.openPartial.bind(store);
    store.openPartial = async (key) => {
      const partial = await open(key);
      if (key.endsWith('unet/weights.pb')) {
        partial.append = async () => {
          throw Object.assign(new Error('Quota exceeded.'), { name: 'QuotaExceededError' });
        };
      }
      return partial;
    };
    const err = await failure(ensureModel(source, { store, ...fast }));
    expect(err).toMatchObject({ code: 'quota', file: 'unet/weights.pb' });
    expect(err.message).toMatch(/storage quota exceeded/);
    expect(hub!.requests.filter((r) => r.path === 'unet/weights.pb')).toHaveLength(1);
  });

  it('refuses to start when the storage quota is short, with a clear message', async () => {
    const { source } = await serve({ weightsBytes: 300_000 });
    const store = new MemoryModelStore();
    const storage = { estimate: async () => ({ quota: 500_000, usage: 400_000 }), persist: async () => true };
    const err = await failure(ensureModel(source, { store, ...fast, storage }));
    expect(err.code).toBe('quota');
    expect(err.message).toMatch(/Not enough storage/);
    expect(hub!.requests.filter((r) => r.path.includes('.onnx'))).toHaveLength(0);
    expect(await store.usage()).toBe(0);
  });

  it('a repo that does not exist is a not-found error', async () => {
    const { source } = await serve();
    const err = await failure(ensureModel({ ...source, repo: 'test/does-not-exist' } as ModelSource, { store: new MemoryModelStore(), ...fast }));
    expect(err.code).toBe('not-found');
    expect(err.message).toMatch(/no such repository/);
  });

  it('a repo without the ONNX layout is an invalid-model error naming what is missing', async () => {
    const torch = { _class_name: 'StableDiffusionPipeline', unet: ['diffusers', 'UNet2DConditionModel'], vae: ['diffusers', 'AutoencoderKL'], text_encoder: ['transformers', 'CLIPTextModel'], tokenizer: ['transformers', 'CLIPTokenizer'], scheduler: ['diffusers', 'PNDMScheduler'] };
    const { source } = await serve({ modelIndex: torch });
    const store = new MemoryModelStore();
    const err = await failure(ensureModel(source, { store, ...fast }));
    expect(err.code).toBe('invalid-model');
    expect(err.message).toMatch(/vae_decoder.*PyTorch/);
    expect(await store.usage()).toBe(0);
  });

  it('a plain base URL (no tree API): standard paths, optional 404s recorded, external weights found in the graph', async () => {
    const { files } = await serve({ weightsBytes: 70_000 });
    const source: ModelSource = { kind: 'url', baseUrl: `${hub!.url}/test/fake-sd/resolve/main` };
    const seen: number[] = [];
    const model = await ensureModel(source, { store: new MemoryModelStore(), ...fast, externalData: (graph) => (seen.push(graph.byteLength), graph.byteLength === files['unet/model.onnx'].byteLength ? ['weights.pb'] : []) });
    expect(seen).toContain(files['unet/model.onnx'].byteLength);
    expect(model.has('unet/weights.pb')).toBe(true);
    expect(model.manifest.absent).toEqual(expect.arrayContaining(['vae_decoder/config.json', 'p2p.json']));
    expect(await model.json('p2p.json', true)).toBeUndefined();
    expect(hub!.requests.some((r) => r.path.startsWith('/api/'))).toBe(false);
  });

  it('a registry entry gets sizes and sha256 from the tree and checks them', async () => {
    const { source } = await serve();
    const entry: ModelEntry = {
      id: 'fake', label: 'Fake', source, precision: 'fp32', storage: 'single-file', provenance: 'test',
      requirements: { shaderF16: false, latentSize: 8, heads: 1, largestWeightBytes: 1, weightBytes: 1 },
      files: [{ path: 'model_index.json' }, { path: 'unet/model.onnx', sha256: '0'.repeat(64) }],
    };
    const err = await failure(ensureModel(entry, { store: new MemoryModelStore(), ...fast }));
    expect(err.code).toBe('integrity');
  });
});
