/**
 * The run history in IndexedDB (through `idb`, a ~1 kB promise wrapper): `runs` holds the summaries the list
 * shows (ids increase with time, so the first key is the oldest run), `payloads` the images and maps under the
 * same id, written in one transaction so a run is never half saved. A browser without IndexedDB (or one that
 * refuses it) makes `openHistory` reject; the studio then says history is off and carries on.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { RunPayload, RunRecord, RunSummary } from './runRecord';
import type { EvictableStore } from './saveWithEviction';

interface HistorySchema extends DBSchema {
  runs: { key: number; value: RunSummary };
  payloads: { key: number; value: RunPayload };
}

export const HISTORY_DB = 'p2p-studio-history';

export interface HistoryDb extends EvictableStore {
  /** Every run's summary, newest first. */
  list(): Promise<RunSummary[]>;
  /** A run in full, or undefined when it was removed (e.g. in another tab). */
  get(id: number): Promise<RunRecord | undefined>;
  clear(): Promise<void>;
}

/** `onClosed`: the connection was closed for another tab's upgrade (open again to go on). */
export async function openHistory(onClosed?: () => void): Promise<HistoryDb> {
  if (typeof indexedDB === 'undefined') throw new Error('this browser has no IndexedDB');
  const db: IDBPDatabase<HistorySchema> = await openDB<HistorySchema>(HISTORY_DB, 1, {
    upgrade(up) {
      up.createObjectStore('runs', { keyPath: 'id', autoIncrement: true });
      up.createObjectStore('payloads');
    },
    // A newer version of the app opened in another tab: let it upgrade.
    blocking() {
      db.close();
      onClosed?.();
    },
  });
  return {
    async put(record) {
      const tx = db.transaction(['runs', 'payloads'], 'readwrite');
      const { id: _unsaved, ...summary } = record.summary;
      const id = await tx.objectStore('runs').add(summary as RunSummary);
      await tx.objectStore('payloads').put(record.payload, id);
      await tx.done;
      return id;
    },
    async oldest() {
      const [first] = await db.getAllKeys('runs', null, 1);
      return first;
    },
    async remove(id) {
      const tx = db.transaction(['runs', 'payloads'], 'readwrite');
      await Promise.all([tx.objectStore('runs').delete(id), tx.objectStore('payloads').delete(id), tx.done]);
    },
    async list() {
      return (await db.getAll('runs')).reverse();
    },
    async get(id) {
      const tx = db.transaction(['runs', 'payloads']);
      const [summary, payload] = await Promise.all([tx.objectStore('runs').get(id), tx.objectStore('payloads').get(id), tx.done]);
      return summary && payload ? { summary, payload } : undefined;
    },
    async clear() {
      const tx = db.transaction(['runs', 'payloads'], 'readwrite');
      await Promise.all([tx.objectStore('runs').clear(), tx.objectStore('payloads').clear(), tx.done]);
    },
  };
}
