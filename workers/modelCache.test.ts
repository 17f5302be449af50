// The engine's cache path on the mock Hub (in-memory store): a `download` request through EngineHandler
// posts throttled progress then `downloaded`; the reader serves the stored files; errors keep their codes.

import { afterEach, describe, expect, it } from 'vitest';
import { startMockHub, type MockHub } from '../scripts/mock-hub';
import { makeFakeModel } from '../scripts/mock-hub/fixture';
import * as ort from 'onnxruntime-node';
import { listCachedModels, MemoryModelStore, ModelError, type OverallProgress } from '../src/models';
import { GRAPH_OF_COMPONENT, namedGraphError, SessionError, type GraphComponent } from '../src/runtime/graphErrors';
import type { ModelFileReader } from '../src/runtime/modelReader';
import { EngineHandler } from './engineHandler';
import { cachedReader, cacheTarget, checkSummary, ensureCached, loadCachedModel, throttleProgress } from './modelCache';
import type { CacheRef, EngineEvent } from './protocol';

let hub: MockHub | undefined;
afterEach(async () => {
  await hub?.close();
  hub = undefined;
});

async function serve(): Promise<{ ref: CacheRef; files: Record<string, Uint8Array> }> {
  const model = await makeFakeModel({ weightsBytes: 200_000 });
  hub = await startMockHub({ root: model.dir, repo: 'test/fake-sd' });
  return { ref: { source: { kind: 'hub', repo: 'test/fake-sd', revision: 'main', endpoint: hub.url } }, files: model.files };
}

function progress(loaded: number, filesDone: number): OverallProgress {
  return { loaded, total: 100, rate: 0, secondsLeft: undefined, filesDone, files: 3, byFile: {} };
}

describe('model cache for the engine', () => {
  it('throttles progress but always reports finished files and the end', () => {
    let t = 0;
    const seen: number[] = [];
    const p = throttleProgress((e) => seen.push(e.loaded), 100, () => t);
    p(progress(1, 0));
    t = 50;
    p(progress(2, 0)); // dropped: too soon
    p(progress(3, 1)); // a file finished
    t = 60;
    p(progress(100, 1)); // the end
    expect(seen).toEqual([1, 3, 100]);
  });

  it('keeps a registry entry’s pinned files but the ref’s endpoint', () => {
    const source = { kind: 'hub' as const, repo: 'nmkd/stable-diffusion-1.5-onnx-fp16', revision: 'x', endpoint: 'http://127.0.0.1:1' };
    const target = cacheTarget({ source, registryId: 'sd15-fp16-external' });
    expect('files' in target && target.files.some((f) => f.path === 'unet/weights.pb')).toBe(true);
    expect('source' in target && target.source).toEqual(source);
    expect(cacheTarget({ source })).toEqual(source);
  });

  it('downloads through a download request, then reads the files from the store without the server', async () => {
    const { ref, files } = await serve();
    const store = new MemoryModelStore();
    const events: EngineEvent[] = [];
    const handler = new EngineHandler({
      loadModel: () => Promise.reject(new Error('not used')),
      downloadModel: async (request, onDownload, signal) => {
        const f = await ensureCached(request.cache, { signal, onProgress: onDownload, store });
        return { key: f.key, files: f.manifest.files.length, bytes: 0 };
      },
      post: (event) => events.push(event),
    });
    handler.handle({ type: 'download', id: 7, cache: ref });
    await handler.idle();
    const last = events.at(-1);
    if (last?.type === 'error') throw new Error(last.message);
    expect(last?.type).toBe('downloaded');
    const downloads = events.filter((e) => e.type === 'download');
    expect(downloads.length).toBeGreaterThan(0);
    const end = downloads.at(-1)!.progress;
    expect(end.filesDone).toBe(end.files);
    expect(end.loaded).toBe(end.total);

    await hub!.close();
    hub = undefined;
    const cached = await ensureCached(ref, { signal: new AbortController().signal, onProgress: () => {}, store });
    const reader = cachedReader(cached);
    const loaded: number[] = [];
    expect(await reader.bytes('unet/model.onnx', (_f, n) => loaded.push(n))).toEqual(files['unet/model.onnx']);
    expect(loaded).toEqual([files['unet/model.onnx'].length]);
    expect(await reader.text('model_index.json')).toBe(new TextDecoder().decode(files['model_index.json']));
    expect(await reader.text('no/such.json')).toBeUndefined();
  });

  it('answers a missing repo with not-found and the HTTP status', async () => {
    const { ref } = await serve();
    const events: EngineEvent[] = [];
    const store = new MemoryModelStore();
    const handler = new EngineHandler({
      loadModel: () => Promise.reject(new Error('not used')),
      downloadModel: async (request, onDownload, signal) => {
        await ensureCached(request.cache, { signal, onProgress: onDownload, store });
        return { key: '', files: 0, bytes: 0 };
      },
      post: (event) => events.push(event),
    });
    const source = ref.source.kind === 'hub' ? { ...ref.source, repo: 'test/missing' } : ref.source;
    handler.handle({ type: 'download', id: 8, cache: { source } });
    handler.handle({ type: 'download', id: 9, cache: { source: { kind: 'ftp' } } });
    await handler.idle();
    expect(events).toContainEqual(expect.objectContaining({ type: 'error', id: 8, code: 'not-found', status: 404 }));
    expect(events).toContainEqual(expect.objectContaining({ type: 'error', id: 9, code: 'bad-input' }));
    expect(await store.list()).toEqual([]);
  });

  it('records a graph onnxruntime cannot parse as damaged, names it, and the next load stops before the network', async () => {
    const { ref } = await serve(); // the fake model's graphs are random bytes: their published sha256 matches, they do not parse
    const store = new MemoryModelStore();
    const signal = new AbortController().signal;
    const files = await ensureCached(ref, { signal, onProgress: () => {}, store });
    // Opens the three graphs from the reader as the web loader does (here on onnxruntime-node).
    const openGraphs = async (reader: ModelFileReader): Promise<void> => {
      for (const [component, file] of Object.entries(GRAPH_OF_COMPONENT) as [GraphComponent, string][]) {
        const bytes = await reader.bytes(file, () => {});
        try {
          await ort.InferenceSession.create(bytes);
        } catch (err) {
          throw namedGraphError(new SessionError(component, 'cpu', err instanceof Error ? err.message : String(err)), reader.label ?? reader.location);
        }
      }
    };
    const err = await loadCachedModel(files, openGraphs).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(ModelError);
    expect(err).toMatchObject({ code: 'damaged', file: 'text_encoder/model.onnx' });
    expect((err as Error).message).toMatch(/^text_encoder\/model\.onnx of test\/fake-sd could not be read as an ONNX model: .*protobuf parsing failed/i);
    expect((err as Error).message).toContain('Its bytes match the published sha256');
    expect((await listCachedModels(store))[0]).toMatchObject({ complete: false, damaged: [{ path: 'text_encoder/model.onnx', reason: 'unreadable', size: 40_000 }] });
    expect(checkSummary(files)).toMatch(/^checked \d+ cached files of test\/fake-sd \(.*; sha256 for \d+\) in \d+ ms of hashing$/);
    hub!.requests.length = 0;
    const again = await ensureCached(ref, { signal, onProgress: () => {}, store }).then(() => undefined, (e: unknown) => e);
    expect(again).toMatchObject({ code: 'damaged', file: 'text_encoder/model.onnx' });
    expect(hub!.requests).toEqual([]);
  });

  it('passes other load failures through unchanged and records nothing', async () => {
    const { ref } = await serve();
    const store = new MemoryModelStore();
    const files = await ensureCached(ref, { signal: new AbortController().signal, onProgress: () => {}, store });
    const boom = new Error('WebGPU device lost');
    await expect(loadCachedModel(files, () => Promise.reject(boom))).rejects.toBe(boom);
    expect((await listCachedModels(store))[0]).toMatchObject({ complete: true, damaged: [] });
  });
});
