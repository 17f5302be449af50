/**
 * Hub models on the page side: persistent storage asked for before the first download, loads and
 * downloads through the engine worker's cache with progress in the store, cancel, list and delete.
 */
import { EngineError, type Engine, type LoadOptions } from '../../workers/engineClient';
import type { ReadyMessage } from '../../workers/protocol';
import { dropDamaged, sourceKey, type OverallProgress } from '../models';
import { useStudio, type DownloadState, type RunError } from '../state/store';
import { offlineModelMessage } from './shellView';
import { assertReachable, cachedEntry, cacheRefFor, deleteCached, listCached, locationOf, modelFacts, modelStore, verdictFor } from './modelCatalog';

let persistence: Promise<boolean | undefined> | undefined;

/** `navigator.storage.persist()` exists on pages only (not in the worker that downloads): ask once, here. */
export function requestPersistence(): Promise<boolean | undefined> {
  persistence ??= (async () => {
    try {
      const storage = navigator.storage;
      if (!storage?.persist) return undefined;
      return (await storage.persisted()) || (await storage.persist());
    } catch {
      return undefined;
    }
  })();
  return persistence;
}

export function toRunError(err: unknown): RunError {
  if (err instanceof EngineError) return { code: err.code, message: err.message };
  return { code: 'internal', message: err instanceof Error ? err.message : String(err) };
}

function setDownload(patch: DownloadState): void {
  useStudio.getState().setModels({ download: patch });
}

function progressed(model: string, progress: OverallProgress): void {
  setDownload({ model, status: 'running', progress });
}

/** Ends the model's download state (if one was shown) with how the call ended. */
function settle(model: string, err?: unknown): void {
  const current = useStudio.getState().models.download;
  if (!current || current.model !== model || current.status !== 'running') return;
  if (err === undefined) return setDownload({ ...current, status: 'done' });
  const error = toRunError(err);
  setDownload({ ...current, status: error.code === 'cancelled' ? 'cancelled' : 'error', error: error.code === 'cancelled' ? undefined : error });
}

/** Re-reads the cache listing into the store. */
export async function refreshCached(): Promise<void> {
  try {
    useStudio.getState().setModels({ cached: await listCached(), cacheListed: true });
  } catch {
    useStudio.getState().setModels({ cacheListed: true });
    // No Cache Storage (insecure context): nothing is listed, and downloads fail with their own message.
  }
}

export async function deleteModel(key: string): Promise<void> {
  await deleteCached(key);
  await refreshCached();
}

/**
 * The user agreed to download a model's damaged files again: drops them (and the model's manifest) from
 * Cache Storage, so the next load or download fetches exactly those files. Returns the paths dropped.
 */
export async function dropDamagedFiles(model: string): Promise<string[]> {
  const key = sourceKey(cacheRefFor(model, useStudio.getState().models.hubEndpoint).source);
  try {
    return await dropDamaged(modelStore(), key);
  } finally {
    await refreshCached();
  }
}

/** Refuses (EngineError `capability`, with the alternatives) a model this device cannot run, before any download. */
export async function assertCapable(model: string, prompts: number, preference: 'auto' | 'webgpu' | 'wasm'): Promise<void> {
  const { cached, hubEndpoint } = useStudio.getState().models;
  const verdict = await verdictFor(modelFacts(model, cachedEntry(model, cached, hubEndpoint)?.bytes).entry, prompts, preference);
  if (verdict.status !== 'blocked') return;
  throw new EngineError('capability', [verdict.message, ...verdict.alternatives.map((a) => a.message)].join(' '), -1);
}

/** Loads a Hub / URL model through the cache: downloads what is missing (with progress), then opens it. */
export async function loadCached(engine: Engine, model: string, options: Omit<LoadOptions, 'cache' | 'onDownload'>): Promise<ReadyMessage> {
  const ref = cacheRefFor(model, useStudio.getState().models.hubEndpoint);
  assertReachable(ref);
  await requestPersistence();
  useStudio.getState().setModels({ confirm: undefined });
  try {
    const ready = await engine.load(locationOf(ref), { ...options, cache: ref, onDownload: (e) => progressed(model, e.progress) });
    settle(model);
    return ready;
  } catch (err) {
    settle(model, err);
    throw err;
  } finally {
    void refreshCached();
  }
}

let downloading: AbortController | undefined;

/** Downloads a model into the cache without loading it (the picker's Download button). */
export async function downloadOnly(engine: Engine, model: string): Promise<void> {
  downloading?.abort();
  const controller = new AbortController();
  downloading = controller;
  const ref = cacheRefFor(model, useStudio.getState().models.hubEndpoint);
  if (!navigator.onLine) {
    // Nothing is tried: the message says why, and the picker keeps its state.
    setDownload({ model, status: 'error', error: { code: 'download-failed', message: offlineModelMessage(modelFacts(model).title) } });
    downloading = undefined;
    return;
  }
  setDownload({ model, status: 'running' });
  try {
    assertReachable(ref);
    await requestPersistence();
    await engine.download(ref, { signal: controller.signal, onDownload: (e) => progressed(model, e.progress) });
    settle(model);
  } catch (err) {
    settle(model, err);
  } finally {
    if (downloading === controller) downloading = undefined;
    void refreshCached();
  }
}

export function cancelDownloadOnly(): void {
  downloading?.abort();
}
