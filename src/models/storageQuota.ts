// Storage checks before a download: ask for persistent storage (so the browser does not evict a 2 GB
// model under pressure) and compare the quota estimate with the bytes still to fetch.

import { formatBytes } from './progress';

/** The parts of `navigator.storage` used; `persist` exists on pages only (not in workers). */
export interface StorageManagerLike {
  estimate?(): Promise<{ quota?: number; usage?: number }>;
  persist?(): Promise<boolean>;
  persisted?(): Promise<boolean>;
}

export interface StorageCheck {
  ok: boolean;
  /** undefined when the browser does not say. */
  persisted: boolean | undefined;
  quota: number | undefined;
  usage: number | undefined;
  free: number | undefined;
  needed: number;
  message: string;
}

/** Head-room kept free: the browser, other caches and the partial copy of the file being promoted. */
export const QUOTA_MARGIN = 1.1;

export function defaultStorageManager(): StorageManagerLike | undefined {
  return (globalThis as { navigator?: { storage?: StorageManagerLike } }).navigator?.storage;
}

/**
 * Requests persistence (when asked and possible) and checks `needed` bytes against the estimate.
 * Unknown quota passes with a note: the download then fails with a 'quota' error if the browser refuses.
 */
export async function checkStorage(needed: number, opts: { storage?: StorageManagerLike; requestPersist?: boolean } = {}): Promise<StorageCheck> {
  const storage = opts.storage ?? defaultStorageManager();
  let persisted: boolean | undefined;
  try {
    persisted = await storage?.persisted?.();
    if (!persisted && opts.requestPersist !== false && storage?.persist) persisted = await storage.persist();
  } catch {
    persisted = undefined;
  }
  let quota: number | undefined;
  let usage: number | undefined;
  try {
    const estimate = await storage?.estimate?.();
    quota = estimate?.quota;
    usage = estimate?.usage;
  } catch {
    // Some browsers reject estimate() in private windows: treat as unknown.
  }
  const base = { persisted, quota, usage, needed };
  if (quota === undefined) {
    return { ...base, ok: true, free: undefined, message: `needs ${formatBytes(needed)}; the browser does not report its storage quota` };
  }
  const free = Math.max(0, quota - (usage ?? 0));
  if (needed * QUOTA_MARGIN > free) {
    return {
      ...base,
      ok: false,
      free,
      message:
        `Not enough storage: the model needs ${formatBytes(needed)} but only ${formatBytes(free)} of ` +
        `${formatBytes(quota)} is free for this site. Delete cached models, free disk space, or use the toy model.`,
    };
  }
  const note = persisted === false ? ' (storage is not persistent: the browser may evict it when the disk fills)' : '';
  return { ...base, ok: true, free, message: `${formatBytes(needed)} to download, ${formatBytes(free)} free${note}` };
}
