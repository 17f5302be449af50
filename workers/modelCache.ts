// Models through the browser cache for the engine: ensureModel into a ModelStore (Cache Storage in the
// worker) with throttled download progress, a ModelFileReader over the stored files (each checked again as
// it is read), and a load over it that records an unreadable graph as damaged.

import { CacheStorageModelStore, ensureModel, findModel, formatBytes, type ModelEntry, type ModelFiles, type ModelSource, type ModelStore, type OverallProgress } from '../src/models';
import { GraphReadError } from '../src/runtime/graphErrors';
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

/** The engine's file reader over cached files (a Blob read per file, checked; no network). */
export function cachedReader(files: ModelFiles): ModelFileReader {
  return {
    location: files.key,
    label: files.label,
    list: () => files.paths(),
    async bytes(path, onProgress, signal) {
      if (signal?.aborted) throw signal.reason;
      return files.bytes(path, (loaded, total) => onProgress(path, loaded, total), signal);
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

/**
 * Loads a model from its cached files with `load` (web: loadWebModel). A graph that does not parse is
 * recorded as damaged and reported as a `damaged` ModelError naming it (files failing their size or
 * sha256 check already are, by ModelFiles); other failures pass through unchanged.
 */
export async function loadCachedModel<T>(files: ModelFiles, load: (reader: ModelFileReader) => Promise<T>): Promise<T> {
  try {
    return await load(cachedReader(files));
  } catch (err) {
    if (!(err instanceof GraphReadError)) throw err;
    const spec = files.manifest.files.find((f) => f.path === err.file);
    const check = files.checks.find((c) => c.path === err.file);
    const hint = check?.sha256 && spec?.sha256 !== undefined ? ' Its bytes match the published sha256, so the file on the server may itself be broken.' : '';
    throw await files.damaged({ path: err.file, reason: 'unreadable', message: `${err.message}.${hint}`, size: spec?.size ?? check?.bytes });
  }
}

/** What checking the cached files cost during a load, for the console and the e2e report. */
export function checkSummary(files: ModelFiles): string {
  const bytes = files.checks.reduce((n, c) => n + c.bytes, 0);
  const hashed = files.checks.filter((c) => c.sha256).length;
  const ms = files.checks.reduce((n, c) => n + c.hashMs, 0);
  return `checked ${files.checks.length} cached files of ${files.label} (${formatBytes(bytes)}; sha256 for ${hashed}) in ${ms.toFixed(0)} ms of hashing`;
}
