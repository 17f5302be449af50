/**
 * Saving a run when storage may be full: on a quota error the oldest run is removed and the save tried again,
 * until it fits or nothing older is left. The current run is never removed, and a failure is reported, not
 * thrown, so the studio keeps showing what it made. Space freed by a removal may be counted late by the browser:
 * with nothing older left, the save is retried a few times after short waits. Works over any store with the three
 * operations below
 * (IndexedDB in the browser: src/history/historyDb.ts).
 */
import type { RunRecord } from './runRecord';

export interface EvictableStore {
  /** Saves the record; resolves to its id. Rejects with a quota error when storage is full. */
  put(record: RunRecord): Promise<number>;
  /** The id of the oldest saved run, if any. */
  oldest(): Promise<number | undefined>;
  remove(id: number): Promise<void>;
}

export type SaveOutcome =
  | { saved: true; id: number; evicted: number }
  | { saved: false; evicted: number; reason: string };

/** Whether an error (from IndexedDB, a transaction abort or the Cache API) means the storage quota ran out. */
export function isQuotaError(err: unknown): boolean {
  const name = (err as { name?: unknown } | null)?.name;
  if (name === 'QuotaExceededError') return true;
  const message = String((err as { message?: unknown } | null)?.message ?? err);
  return /quota/i.test(message);
}

/**
 * `room`: bytes the history could have with every run removed (the quota less the origin's other data), when
 * known. A run larger than that cannot fit: it is refused at once instead of emptying the history for nothing.
 */
export async function saveWithEviction(
  store: EvictableStore,
  record: RunRecord,
  room?: () => Promise<number | undefined>,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
): Promise<SaveOutcome> {
  let evicted = 0;
  let removed: number | undefined;
  // Browsers account freed space some time after a delete (Chromium's IndexedDB compacts lazily): once nothing
  // older is left, the save is tried a few more times, waiting longer each time.
  const settle = [300, 700, 1500];
  for (;;) {
    try {
      const id = await store.put(record);
      return { saved: true, id, evicted };
    } catch (err) {
      if (!isQuotaError(err)) return { saved: false, evicted, reason: errorText(err) };
      if (evicted === 0 && room) {
        const available = await room().catch(() => undefined);
        if (available !== undefined && record.summary.bytes > available) return { saved: false, evicted, reason: `the run takes ${record.summary.bytes} bytes and the browser leaves the history at most ${Math.max(0, available)}` };
      }
      const oldest = await store.oldest().catch(() => undefined);
      if (oldest === undefined) {
        const wait = evicted > 0 ? settle.shift() : undefined;
        if (wait === undefined) return { saved: false, evicted, reason: 'the browser’s storage is full even with no earlier runs kept' };
        await sleep(wait);
        continue;
      }
      // A store that failed to remove it would loop here for ever.
      if (oldest === removed) return { saved: false, evicted, reason: 'an earlier run could not be removed to make room' };
      await store.remove(oldest);
      removed = oldest;
      evicted++;
    }
  }
}

function errorText(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  return String(err);
}
