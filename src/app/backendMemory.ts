/**
 * Remembers the Automatic backend measurement per adapter and model in localStorage (the engine worker
 * has no localStorage: the page passes the record with `load` and stores what `ready` brings back).
 */
import { validMeasurement, type BackendMeasurement } from '../models/backendChoice';

/** The part of Web Storage used here (tests pass an in-memory one). */
export type StorageLike = Pick<Storage, 'getItem' | 'setItem'>;

const PREFIX = 'p2p-studio:backend-measurement:v1:';

export function measurementKey(model: string, adapterKey: string): string {
  return `${PREFIX}${adapterKey}:${model}`;
}

/** The remembered measurement for this model on this adapter, if a valid one is stored. */
export function recallMeasurement(storage: StorageLike | undefined, model: string, adapterKey: string): BackendMeasurement | undefined {
  try {
    const raw = storage?.getItem(measurementKey(model, adapterKey));
    if (!raw) return undefined;
    const value: unknown = JSON.parse(raw);
    return validMeasurement(value) && value.adapterKey === adapterKey ? value : undefined;
  } catch {
    return undefined; // unreadable storage (privacy mode) or a corrupt record: measure again
  }
}

export function rememberMeasurement(storage: StorageLike | undefined, model: string, m: BackendMeasurement): void {
  try {
    storage?.setItem(measurementKey(model, m.adapterKey), JSON.stringify({ adapterKey: m.adapterKey, webgpuMs: m.webgpuMs, wasmMs: m.wasmMs }));
  } catch {
    // Storage full or denied: the next load measures again.
  }
}

/** localStorage when the page may use it. */
export function pageStorage(): StorageLike | undefined {
  try {
    return globalThis.localStorage;
  } catch {
    return undefined;
  }
}
