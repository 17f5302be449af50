/**
 * The site's one service worker (built to `isolation-sw.js` beside index.html by scripts/offline/plugin.ts, which
 * prepends this build's precache manifest as `self.__P2P_PRECACHE__`). Two jobs, one scope:
 * - Cross-origin isolation for hosts that send no COOP/COEP headers (docs/hosting.md): every same-origin response
 *   is re-served with COOP/COEP/CORP, so onnxruntime-web can run wasm on several threads. Cross-origin requests
 *   (the Hugging Face Hub) pass through untouched; Hub models live in the model cache (src/models/cacheStorage.ts).
 * - Offline: the app shell (index.html, scripts, styles, workers, onnxruntime-web's wasm, the embedded models) is
 *   kept in a cache named after this build's version and answered from it first. The first install takes control
 *   at once (the isolation reload cannot wait) and precaches when the page asks; an update precaches while it
 *   installs, then waits until the page's "Reload" prompt sends `p2p-skip-waiting` (never a silent swap).
 * No imports at run time other than ./shell (bundled in): a classic worker script.
 */
import { SHELL_CACHE_PREFIX, shellCacheName, shellPathFor, staleShellCaches, type PrecacheEntry, type PrecacheManifest, type ShellRequest, type ShellStatus } from './shell';

// The WebWorker lib types `self` as a plain worker scope; this file only ever runs as a service worker.
const sw = self as unknown as ServiceWorkerGlobalScope & { __P2P_PRECACHE__?: PrecacheManifest };

const manifest = sw.__P2P_PRECACHE__;
const cacheName = manifest ? shellCacheName(manifest.version) : undefined;
const byPath = new Map(manifest?.entries.map((e) => [e.path, e]) ?? []);
const paths = new Set(byPath.keys());
/** Header on each stored response: the SHA-256 it was checked against, so a later version can reuse it. */
const SHA_HEADER = 'x-p2p-sha256';
const FETCHES_AT_ONCE = 4;

const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};
/** Statuses whose responses must have no body. */
const NULL_BODY = new Set([101, 103, 204, 205, 304]);

function fileUrl(path: string): string {
  return new URL(path, sw.location.href).href;
}

function hex(digest: ArrayBuffer): string {
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** The same bytes in another shell cache (an earlier version): copied, not downloaded again. */
async function reuse(entry: PrecacheEntry, cache: Cache): Promise<boolean> {
  for (const name of await caches.keys()) {
    if (!name.startsWith(SHELL_CACHE_PREFIX) || name === cacheName) continue;
    const old = await (await caches.open(name)).match(fileUrl(entry.path));
    if (old?.headers.get(SHA_HEADER) === entry.sha256) {
      await cache.put(fileUrl(entry.path), old);
      return true;
    }
  }
  return false;
}

/** Files being stored now, by path: the precache and a page asking for the same file share one download. */
const storing = new Map<string, Promise<void>>();

/** Stores one file, checked against the manifest's SHA-256 (a host already serving a newer deploy fails it). */
function store(entry: PrecacheEntry, cache: Cache): Promise<void> {
  let pending = storing.get(entry.path);
  if (!pending) {
    pending = storeOnce(entry, cache).finally(() => storing.delete(entry.path));
    storing.set(entry.path, pending);
  }
  return pending;
}

async function storeOnce(entry: PrecacheEntry, cache: Cache): Promise<void> {
  const url = fileUrl(entry.path);
  if ((await cache.match(url))?.headers.get(SHA_HEADER) === entry.sha256) return;
  if (await reuse(entry, cache)) return;
  const response = await fetch(url, { cache: 'no-cache' });
  if (!response.ok) throw new Error(`${entry.path}: HTTP ${response.status}`);
  const body = await response.arrayBuffer();
  const sha256 = hex(await crypto.subtle.digest('SHA-256', body));
  if (sha256 !== entry.sha256) throw new Error(`${entry.path}: the host serves other bytes than this version's (a newer deploy?)`);
  const headers = new Headers(response.headers);
  headers.delete('content-encoding'); // the body is stored decoded
  headers.set('content-length', String(body.byteLength));
  headers.set(SHA_HEADER, sha256);
  await cache.put(url, new Response(body, { status: 200, statusText: 'OK', headers }));
}

/** This version's status without fetching anything: complete when every file is stored with its SHA-256. */
async function inspect(): Promise<ShellStatus> {
  if (!manifest || !cacheName) return { type: 'p2p-shell-status', complete: false, files: 0, bytes: 0, error: 'this build has no precache manifest' };
  const cache = await caches.open(cacheName);
  let complete = true;
  for (const entry of manifest.entries) {
    if ((await cache.match(fileUrl(entry.path)))?.headers.get(SHA_HEADER) !== entry.sha256) {
      complete = false;
      break;
    }
  }
  return { type: 'p2p-shell-status', version: manifest.version, complete, files: manifest.entries.length, bytes: manifest.entries.reduce((n, e) => n + e.size, 0) };
}

let precaching: Promise<ShellStatus> | undefined;

/** Fills this version's cache (only what it lacks); resolves to the status the page shows, never rejects. */
function precache(): Promise<ShellStatus> {
  precaching ??= (async (): Promise<ShellStatus> => {
    if (!manifest || !cacheName) return { type: 'p2p-shell-status', complete: false, files: 0, bytes: 0, error: 'this build has no precache manifest' };
    const entries = manifest.entries;
    const status: ShellStatus = { type: 'p2p-shell-status', version: manifest.version, complete: false, files: entries.length, bytes: entries.reduce((n, e) => n + e.size, 0) };
    try {
      const cache = await caches.open(cacheName);
      let next = 0;
      const lane = async (): Promise<void> => {
        while (next < entries.length) await store(entries[next++], cache);
      };
      await Promise.all(Array.from({ length: FETCHES_AT_ONCE }, lane));
      return { ...status, complete: true };
    } catch (err) {
      return { ...status, error: err instanceof Error ? err.message : String(err) };
    }
  })().finally(() => {
    precaching = undefined;
  });
  return precaching;
}

sw.addEventListener('install', (event) => {
  // First install: take control now (the isolation reload waits for it); the page then asks for the precache.
  if (!sw.registration.active) {
    void sw.skipWaiting();
    return;
  }
  // An update: complete before it may wait, or the install fails and the current version stays.
  event.waitUntil(
    precache().then((s) => {
      if (!s.complete) throw new Error(`precache failed: ${s.error}`);
    }),
  );
});

sw.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const name of staleShellCaches(await caches.keys(), cacheName ?? '')) await caches.delete(name);
      // Control the already open page at once (it reloads itself once when it needs the isolation headers).
      await sw.clients.claim();
    })(),
  );
});

sw.addEventListener('message', (event) => {
  const data = event.data as ShellRequest | undefined;
  if (data?.type === 'p2p-skip-waiting') void sw.skipWaiting();
  else if (data?.type === 'p2p-shell-status') {
    const port = event.ports[0];
    event.waitUntil((data.fill ? precache() : inspect()).then((s) => port?.postMessage(s)));
  }
});

function withIsolation(response: Response): Response {
  // Opaque and error responses cannot be rebuilt; they go back as they came.
  if (response.type === 'opaque' || response.type === 'opaqueredirect' || response.status === 0) return response;
  const headers = new Headers(response.headers);
  for (const [name, value] of Object.entries(ISOLATION_HEADERS)) headers.set(name, value);
  headers.delete(SHA_HEADER);
  return new Response(NULL_BODY.has(response.status) ? null : response.body, { status: response.status, statusText: response.statusText, headers });
}

/**
 * A shell file from this version's cache. While the precache runs, one it has not stored yet is stored first
 * (checked, sharing the precache's download of it) and then answered whole from the cache: streamed through the
 * worker from the network during the precache instead, the 18 MB emoji UNet broke off mid-way ("network error")
 * in 3 of 3 e2e runs, also with the fetch event extended until the stream's end (cause not found); stored first,
 * 3 of 3 passed. The cost: no byte progress for such a file then. At other times, and whenever storing fails
 * (offline, no quota, the host serves other bytes), the network answers as before.
 */
async function fromShell(request: Request): Promise<Response> {
  const path = cacheName && request.method === 'GET' ? shellPathFor(request.url, sw.location.href, paths, request.mode === 'navigate') : undefined;
  if (path) {
    const cache = await caches.open(cacheName!);
    const hit = await cache.match(fileUrl(path));
    if (hit) return hit;
    if (precaching) {
      try {
        await store(byPath.get(path)!, cache);
        const stored = await cache.match(fileUrl(path));
        if (stored) return stored;
      } catch {
        // not stored: the network answers as it can
      }
    }
  }
  return fetch(request);
}

sw.addEventListener('fetch', (event) => {
  const request = event.request;
  if (new URL(request.url).origin !== sw.location.origin) return; // the network handles it as if there were no worker
  // Chromium throws on this combination (devtools asks for it); let the network answer.
  if (request.cache === 'only-if-cached' && request.mode !== 'same-origin') return;
  event.respondWith(fromShell(request).then(withIsolation));
});
