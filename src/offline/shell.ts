/**
 * The offline app shell, pure parts shared by the service worker (src/offline/sw.ts), the build step that writes
 * its precache manifest (scripts/offline/precache.ts) and their unit tests: the manifest's form, the cache names
 * (one cache per version; activation deletes the other shell caches and never the model caches), and which
 * request the shell answers from its cache, at the site's root or under a sub-path.
 */

/** One file of the built site, as precached: its path relative to the service worker's folder (the base). */
export interface PrecacheEntry {
  path: string;
  /** SHA-256 of the file's bytes, lowercase hex: checked when the worker stores it. */
  sha256: string;
  size: number;
}

export interface PrecacheManifest {
  /** A hash of every entry: changes with any byte of the build, so a new deploy is a new worker. */
  version: string;
  entries: PrecacheEntry[];
}

/** The service worker's file name, next to index.html (its folder is the registration scope). */
export const SW_FILE = 'isolation-sw.js';

/** Shell caches are `p2p-shell-<version>`; the model caches (`p2p-models-…`, src/models/cacheStorage.ts) are another family. */
export const SHELL_CACHE_PREFIX = 'p2p-shell-';

export function shellCacheName(version: string): string {
  return SHELL_CACHE_PREFIX + version;
}

/** Shell caches other than the current one (deleted when a worker activates); other caches are never listed. */
export function staleShellCaches(names: readonly string[], current: string): string[] {
  return names.filter((n) => n.startsWith(SHELL_CACHE_PREFIX) && n !== current);
}

/** Files of a build that are not precached: the worker itself, source maps, dotfiles. */
export function isPrecached(path: string): boolean {
  return path !== SW_FILE && !path.endsWith('.map') && !path.split('/').some((part) => part.startsWith('.'));
}

/** The text the version is hashed from: entries sorted by path, one `path sha256 size` line each. */
export function manifestText(entries: readonly PrecacheEntry[]): string {
  return [...entries]
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
    .map((e) => `${e.path} ${e.sha256} ${e.size}`)
    .join('\n');
}

/**
 * The precached path that answers a request, or undefined (the network answers). `swUrl` is the worker's own
 * URL: the site's base is its folder. A navigation to the base or to `index.html` (any query: share links) is
 * answered by index.html; any other request must name a precached file exactly, with no query.
 */
export function shellPathFor(requestUrl: string, swUrl: string, paths: ReadonlySet<string>, navigate: boolean): string | undefined {
  const url = new URL(requestUrl);
  const base = new URL('./', swUrl);
  if (url.origin !== base.origin || !url.pathname.startsWith(base.pathname)) return undefined;
  let rel: string;
  try {
    rel = decodeURIComponent(url.pathname.slice(base.pathname.length));
  } catch {
    return undefined;
  }
  if (navigate) return rel === '' || rel === 'index.html' ? (paths.has('index.html') ? 'index.html' : undefined) : undefined;
  if (url.search !== '') return undefined;
  return paths.has(rel) ? rel : undefined;
}

/**
 * Messages the page sends the worker (postMessage; `status` replies on the transferred port). `fill: false` only
 * looks at the cache; `fill: true` also stores what is missing first.
 */
export type ShellRequest = { type: 'p2p-shell-status'; fill: boolean } | { type: 'p2p-skip-waiting' };

/** The worker's answer to `p2p-shell-status`, once its precache is complete (or failed). */
export interface ShellStatus {
  type: 'p2p-shell-status';
  /** undefined: a worker built without a manifest (nothing is precached). */
  version?: string;
  complete: boolean;
  files: number;
  bytes: number;
  error?: string;
}
