import { describe, expect, it } from 'vitest';
import type { RunRecord } from './runRecord';
import { isQuotaError, saveWithEviction, type EvictableStore } from './saveWithEviction';

/** An ordered store with a byte quota that fails the way IndexedDB does when it is full. */
class QuotaStore implements EvictableStore {
  runs = new Map<number, number>();
  private next = 1;
  constructor(private quota: number, private failRemove = false) {}
  private used(): number {
    return [...this.runs.values()].reduce((a, b) => a + b, 0);
  }
  async put(record: RunRecord): Promise<number> {
    if (this.used() + record.summary.bytes > this.quota) throw new DOMException('Transaction aborted: quota exceeded', 'QuotaExceededError');
    const id = this.next++;
    this.runs.set(id, record.summary.bytes);
    return id;
  }
  async oldest(): Promise<number | undefined> {
    return [...this.runs.keys()].sort((a, b) => a - b)[0];
  }
  async remove(id: number): Promise<void> {
    if (!this.failRemove) this.runs.delete(id);
  }
}

const sized = (bytes: number) => ({ summary: { bytes } }) as RunRecord;

describe('saving with eviction', () => {
  it('saves without evicting while there is room', async () => {
    const store = new QuotaStore(100);
    expect(await saveWithEviction(store, sized(40))).toEqual({ saved: true, id: 1, evicted: 0 });
    expect(await saveWithEviction(store, sized(40))).toEqual({ saved: true, id: 2, evicted: 0 });
  });

  it('evicts the oldest runs, only as many as needed, and keeps the new one', async () => {
    const store = new QuotaStore(100);
    for (const b of [30, 30, 30]) await saveWithEviction(store, sized(b));
    expect(await saveWithEviction(store, sized(50))).toEqual({ saved: true, id: 4, evicted: 2 });
    expect([...store.runs.keys()]).toEqual([3, 4]);
  });

  it('reports, without throwing, a run too big for the quota even alone', async () => {
    const store = new QuotaStore(100);
    await saveWithEviction(store, sized(60));
    const outcome = await saveWithEviction(store, sized(150), undefined, async () => undefined);
    expect(outcome).toMatchObject({ saved: false, evicted: 1 });
    expect(store.runs.size).toBe(0);
  });

  it('refuses at once, evicting nothing, a run larger than the room the browser leaves the history', async () => {
    const store = new QuotaStore(100);
    await saveWithEviction(store, sized(60));
    const outcome = await saveWithEviction(store, sized(150), async () => 100);
    expect(outcome).toMatchObject({ saved: false, evicted: 0, reason: expect.stringContaining('at most 100') });
    expect(store.runs.size).toBe(1);
    // When the estimate allows it, eviction goes ahead.
    expect(await saveWithEviction(store, sized(90), async () => 100)).toEqual({ saved: true, id: 2, evicted: 1 });
  });

  it('waits for space a removal frees late (as Chromium counts it), then saves', async () => {
    const store = new QuotaStore(100);
    await saveWithEviction(store, sized(60));
    // The removed run's bytes are still counted for two more attempts.
    let lag = 0;
    const remove = store.remove.bind(store);
    store.remove = async (id) => {
      lag = 60;
      await remove(id);
    };
    const put = store.put.bind(store);
    store.put = async (r) => {
      if (lag > 0 && lag + r.summary.bytes > 100) {
        lag = lag === 60 ? 59 : 0; // freed on the second wait
        throw new DOMException('quota', 'QuotaExceededError');
      }
      return put(r);
    };
    const waits: number[] = [];
    expect(await saveWithEviction(store, sized(90), undefined, async (ms) => void waits.push(ms))).toEqual({ saved: true, id: 2, evicted: 1 });
    expect(waits).toEqual([300, 700]);
  });

  it('stops when a removal does not free anything', async () => {
    const store = new QuotaStore(50, true);
    await saveWithEviction(store, sized(40));
    expect(await saveWithEviction(store, sized(40))).toMatchObject({ saved: false, evicted: 1, reason: expect.stringContaining('could not be removed') });
  });

  it('reports other errors as they are, evicting nothing', async () => {
    const store = new QuotaStore(100);
    await saveWithEviction(store, sized(10));
    store.put = async () => {
      throw new DOMException('The database connection is closing.', 'InvalidStateError');
    };
    expect(await saveWithEviction(store, sized(10))).toEqual({ saved: false, evicted: 0, reason: 'The database connection is closing.' });
    expect(store.runs.size).toBe(1);
  });

  it('recognises quota errors by name or message', () => {
    expect(isQuotaError(new DOMException('x', 'QuotaExceededError'))).toBe(true);
    expect(isQuotaError(new Error('Quota exceeded.'))).toBe(true);
    expect(isQuotaError(new DOMException('x', 'AbortError'))).toBe(false);
    expect(isQuotaError(undefined)).toBe(false);
  });
});
