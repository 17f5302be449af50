// A Map-backed stand-in for the browser's Cache Storage (Node has none): match, put, delete and keys, with
// bodies kept as Blobs and headers as given. Two stores opened on the same instance see the same entries,
// as two page loads do.

import type { CacheStorageLike } from '../../src/models/cacheStorage';

export function fakeCaches(): CacheStorageLike {
  const caches = new Map<string, Map<string, { body: Blob; headers: [string, string][] }>>();
  const open = async (name: string): Promise<Cache> => {
    const entries = caches.get(name) ?? caches.set(name, new Map()).get(name)!;
    const url = (r: RequestInfo | URL): string => (typeof r === 'string' ? r : r instanceof URL ? r.href : r.url);
    const fake = {
      match: async (r: RequestInfo | URL) => {
        const e = entries.get(url(r));
        return e ? new Response(e.body, { headers: e.headers }) : undefined;
      },
      put: async (r: RequestInfo | URL, response: Response) => {
        entries.set(url(r), { body: await response.blob(), headers: [...response.headers] });
      },
      delete: async (r: RequestInfo | URL) => entries.delete(url(r)),
      keys: async () => [...entries.keys()].map((u) => new Request(u)),
    };
    // The store only calls match/put/delete/keys; the rest of the Cache interface is not needed.
    return fake as unknown as Cache;
  };
  return { open, delete: async (name: string) => caches.delete(name) };
}
