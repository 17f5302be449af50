// Makes a model available from the store: a complete cached copy without any network, else resolve the
// file list (registry, Hub tree, model_index.json), check storage, download in parallel, store a manifest.

import { fileKey, MANIFEST_PATH, type ModelStore } from './cache';
import { damagedError, listDamage } from './damage';
import { downloadFile } from './download';
import { abortError, httpError, isModelError, ModelError } from './errors';
import { completeFromTree, planFiles, validateModelIndex, type ModelIndex, type TreeEntry } from './modelIndex';
import { runPool } from './parallel';
import { OverallMeter, type FileProgress, type OverallProgress } from './progress';
import { downloadBytes, GRAPH_FILES, type ModelEntry, type ModelFileSpec } from './registry';
import { describeSource, fileUrl, sourceKey, treeUrl, type ModelSource } from './source';
import { checkStorage, type StorageManagerLike } from './storageQuota';
import { ModelFiles, readManifest, type Manifest } from './modelFiles';

export interface EnsureModelOptions {
  store: ModelStore;
  signal?: AbortSignal;
  onProgress?: (p: OverallProgress) => void;
  /** Files downloaded at once (default 3: the big file dominates; small ones finish alongside). */
  concurrency?: number;
  retries?: number;
  backoffMs?: number;
  fetch?: typeof fetch;
  now?: () => number;
  storage?: StorageManagerLike;
  /** Ask for persistent storage (pages only; a worker cannot). Default true. */
  requestPersist?: boolean;
  /** External-data file names a graph refers to (the engine passes src/runtime's `externalDataLocations`). */
  externalData?: (graph: Uint8Array) => string[];
}

/** Graph files larger than this are not scanned for external-data references. */
const EXTERNAL_SCAN_MAX = 64 * 2 ** 20;

async function getJson(url: string, what: string, opts: EnsureModelOptions): Promise<unknown> {
  const doFetch = opts.fetch ?? globalThis.fetch.bind(globalThis);
  let response: Response;
  try {
    response = await doFetch(url, { signal: opts.signal });
  } catch (err) {
    if (opts.signal?.aborted) throw abortError(opts.signal, what);
    throw new ModelError('network', `${what}: cannot reach ${url} (${err instanceof Error ? err.message : String(err)})`, what);
  }
  if (!response.ok) throw httpError(response.status, what, url, response.headers.get('x-error-code'));
  try {
    return await response.json();
  } catch {
    throw new ModelError('invalid-model', `${what}: ${url} did not return JSON`, what);
  }
}

/** The Hub's file tree, or undefined (plain URL sources; or the tree API unreachable: sizes then come from headers). */
async function fetchTree(source: ModelSource, opts: EnsureModelOptions): Promise<TreeEntry[] | undefined> {
  const url = treeUrl(source);
  if (!url) return undefined;
  try {
    const tree = await getJson(url, 'file list', opts);
    return Array.isArray(tree) ? (tree as TreeEntry[]) : undefined;
  } catch (err) {
    if (isModelError(err, 'not-found') || isModelError(err, 'aborted')) {
      if (isModelError(err, 'not-found')) {
        throw new ModelError('not-found', `${describeSource(source)}: no such repository or revision on the Hub (HTTP 404)`, undefined, 404);
      }
      throw err;
    }
    return undefined;
  }
}

/** The files to fetch and the validated index, from the network. */
export async function resolveModel(target: ModelEntry | ModelSource, opts: EnsureModelOptions): Promise<{ source: ModelSource; files: ModelFileSpec[]; index: ModelIndex }> {
  const source = 'source' in target ? target.source : target;
  const what = describeSource(source);
  const tree = await fetchTree(source, opts);
  const index = validateModelIndex(await getJson(fileUrl(source, 'model_index.json'), 'model_index.json', opts), what);
  const files = 'source' in target ? completeFromTree(target.files, tree) : planFiles(tree, what);
  return { source, files, index };
}

/** Everything `ensureModel` downloads for `files`, skipping those already stored. */
async function missingFiles(store: ModelStore, key: string, files: ModelFileSpec[]): Promise<ModelFileSpec[]> {
  const out: ModelFileSpec[] = [];
  for (const f of files) if (!(await store.has(fileKey(key, f.path)))) out.push(f);
  return out;
}

export async function ensureModel(target: ModelEntry | ModelSource, opts: EnsureModelOptions): Promise<ModelFiles> {
  const { store } = opts;
  const source = 'source' in target ? target.source : target;
  const key = sourceKey(source);
  const required = 'source' in target ? target.files.filter((f) => !f.optional).map((f) => f.path) : [];

  // 0. Files known to be bad: stop before any network use; they are downloaded again only once the user
  //    agrees (the page calls dropDamaged, then loads again).
  const damaged = await listDamage(store, key);
  if (damaged.length > 0) throw damagedError(describeSource(source), damaged);

  // 1. A complete cached copy: no network at all (works offline, and with the server stopped).
  const cached = await readManifest(store, key);
  if (cached && required.every((p) => cached.files.some((f) => f.path === p)) && (await ModelFiles.complete(store, key, cached))) {
    return new ModelFiles(store, source, cached);
  }

  // 2. Resolve the file list and check the storage quota for what is still missing.
  const { files } = await resolveModel(target, opts);
  let todo = await missingFiles(store, key, files);
  const partialBytes = (await store.listPartials(`${key}::`)).reduce((n, p) => n + p.size, 0);
  const need = downloadBytes(todo).bytes - partialBytes;
  const storage = await checkStorage(Math.max(0, need), { storage: opts.storage, requestPersist: opts.requestPersist });
  if (!storage.ok) throw new ModelError('quota', storage.message);

  // 3. Download in parallel; optional files that 404 are recorded as absent.
  const absent = new Set<string>();
  const now = opts.now ?? (() => Date.now());
  const fetchAll = async (list: ModelFileSpec[]): Promise<void> => {
    const meter = new OverallMeter(Object.fromEntries(list.map((f) => [f.path, f.size])), now);
    await runPool(list, opts.concurrency ?? 3, (f, signal) => fetchOne(f, signal, meter), opts.signal);
  };
  const fetchOne = async (f: ModelFileSpec, signal: AbortSignal, meter: OverallMeter): Promise<void> => {
    const k = fileKey(key, f.path);
    try {
      const partial = await store.openPartial(k);
      const options = {
        file: f.path,
        expectedSize: f.size,
        sha256: f.sha256,
        etagIsSha256: source.kind === 'hub',
        signal,
        partial,
        onProgress: (p: FileProgress) => opts.onProgress?.(meter.update(p)),
        retries: opts.retries,
        backoffMs: opts.backoffMs,
        fetch: opts.fetch,
        now: opts.now,
      };
      // A storage refusal while the download writes is a quota error as much as one at commit.
      const result = await quotaChecked(f.path, () => downloadFile(fileUrl(source, f.path), options));
      const meta = { size: result.blob.size, sha256: result.sha256, sha256Source: result.sha256Published ? ('published' as const) : ('download' as const), etag: result.etag, storedAt: Date.now() };
      await quotaChecked(f.path, () => result.partial.commit(meta));
    } catch (err) {
      // Bytes that made a wrong or corrupt file must not seed the next attempt.
      if (isModelError(err, 'length') || isModelError(err, 'integrity')) await store.deletePartial(k);
      if (f.optional && isModelError(err, 'not-found')) {
        absent.add(f.path);
        opts.onProgress?.(meter.update({ file: f.path, loaded: 0, total: 0, rate: 0, secondsLeft: 0, resumedFrom: 0, attempt: 1, done: true }));
        return;
      }
      throw err;
    }
  };
  await fetchAll(todo);

  // 4. External weights named by the UNet graph that the file list did not have (plain URL sources).
  const listed = new Set(files.map((f) => f.path));
  const extra: ModelFileSpec[] = [];
  if (opts.externalData) {
    for (const graph of Object.values(GRAPH_FILES)) {
      const stored = await store.get(fileKey(key, graph));
      // A graph this large embeds its weights: no external file to find, and no need to read 1.7 GB.
      if (!stored || stored.blob.size > EXTERNAL_SCAN_MAX) continue;
      const dir = graph.slice(0, graph.lastIndexOf('/') + 1);
      for (const name of opts.externalData(new Uint8Array(await stored.blob.arrayBuffer()))) {
        if (!listed.has(dir + name)) extra.push({ path: dir + name });
      }
    }
    todo = await missingFiles(store, key, extra);
    await fetchAll(todo);
  }

  // 5. The manifest goes in last: its presence means every file is verified and stored.
  const manifest: Manifest = { version: 1, source, files: [...files, ...extra].filter((f) => !absent.has(f.path)), absent: [...absent] };
  const body = new Blob([JSON.stringify(manifest)]);
  await putVerified(store, fileKey(key, MANIFEST_PATH), MANIFEST_PATH, body, { size: body.size, storedAt: Date.now() });
  return new ModelFiles(store, source, manifest);
}

/** store.put with the browser's quota refusal turned into a typed error. */
function putVerified(store: ModelStore, key: string, path: string, blob: Blob, meta: Parameters<ModelStore['put']>[2]): Promise<void> {
  return quotaChecked(path, () => store.put(key, blob, meta));
}

/** A storage write (or a download writing as it goes) with the browser's quota refusal turned into a typed error. */
async function quotaChecked<T>(path: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    if (err instanceof Error && err.name === 'QuotaExceededError') {
      throw new ModelError('quota', `${path}: the browser refused to store it (storage quota exceeded). Delete cached models or free disk space.`, path);
    }
    throw err;
  }
}
