// Models through the browser cache for the engine: ensureModel into a ModelStore (Cache Storage in the
// worker) with throttled download progress, and a ModelFileReader over the verified, stored files.

import { CacheStorageModelStore, ensureModel, findModel, type ModelEntry, type ModelFiles, type ModelSource, type ModelStore, type OverallProgress } from '../src/models';
import type { ModelFileReader } from '../src/runtime/modelReader';
import { externalDataLocations } from '../src/runtime/webFetch';
import type { CacheRef } from './protocol';

export type DownloadProgress = (progress: OverallProgress) => void;

/** Milliseconds between download events (a file finishing is always reported). */
const PROGRESS_INTERVAL_MS = 150;

/** The registry entry (pinned files) with the ref's source (which may name another endpoint), else the bare source. */
export function cacheTarget(ref: CacheRef): ModelEntry | ModelSource {
  const entry = ref.registryId ? findModel(ref.registryId) : undefined;
  return entry && entry.source.kind === 'hub' ? { ...entry, source: ref.source } : ref.source;
}

/** Drops progress updates closer than `intervalMs`, except when a file completes or the download ends. */
export function throttleProgress(onProgress: DownloadProgress, intervalMs = PROGRESS_INTERVAL_MS, now = () => Date.now()): DownloadProgress {
  let last = -Infinity;
  let filesDone = -1;
  return (p) => {
    const t = now();
    const finished = p.total !== undefined && p.loaded >= p.total;
    if (t - last < intervalMs && p.filesDone === filesDone && !finished) return;
    last = t;
    filesDone = p.filesDone;
    onProgress(p);
  };
}

/** External-data names of a graph; none when it does not parse (the load then reports the bad graph). */
function externalDataOf(graph: Uint8Array): string[] {
  try {
    return externalDataLocations(graph);
  } catch {
    return [];
  }
}

export interface EnsureCachedOptions {
  signal: AbortSignal;
  onProgress: DownloadProgress;
  /** Default: Cache Storage (`caches`), the store the page lists and deletes from. */
  store?: ModelStore;
  fetch?: typeof fetch;
}

/**
 * The model's files, complete in the store: from the cache without any network when a verified copy is
 * there, else downloaded (resumes kept partials). Persistence is requested by the page beforehand:
 * workers have no `navigator.storage.persist()`.
 */
export function ensureCached(ref: CacheRef, opts: EnsureCachedOptions): Promise<ModelFiles> {
  return ensureModel(cacheTarget(ref), {
    store: opts.store ?? new CacheStorageModelStore(),
    signal: opts.signal,
    onProgress: throttleProgress(opts.onProgress),
    requestPersist: false,
    externalData: externalDataOf,
    fetch: opts.fetch,
  });
}

/** The engine's file reader over cached files (a Blob read per file; no network). */
export function cachedReader(files: ModelFiles): ModelFileReader {
  return {
    location: files.key,
    async bytes(path, onProgress, signal) {
      if (signal?.aborted) throw signal.reason;
      const bytes = await files.bytes(path);
      onProgress(path, bytes.length, bytes.length);
      return bytes;
    },
    async text(path, signal) {
      if (signal?.aborted) throw signal.reason;
      return files.has(path) ? files.text(path) : undefined;
    },
  };
}

/** Bytes of the stored files (from the manifest sizes, else unknown files count as 0). */
export function manifestBytes(files: ModelFiles): number {
  return files.manifest.files.reduce((n, f) => n + (f.size ?? 0), 0);
}
