// The remembered Automatic measurement: stored per adapter and model, read back only when valid and
// taken on the same adapter, and never failing when storage does.

import { describe, expect, it } from 'vitest';
import { adapterKey, chooseBackend, type AdapterFacts } from '../models/backendChoice';
import { measurementKey, recallMeasurement, rememberMeasurement, type StorageLike } from './backendMemory';

/** Web Storage's getItem/setItem over a Map. */
class MapStorage implements StorageLike {
  readonly items = new Map<string, string>();
  getItem(key: string): string | null {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.items.set(key, value);
  }
}

const nvidia: AdapterFacts = { vendor: 'nvidia', architecture: 'ampere', device: '', description: '' };
const amd: AdapterFacts = { vendor: 'amd', architecture: 'rdna-3', device: '', description: '' };

describe('backend measurement memory', () => {
  it('a stored measurement comes back for the same model and adapter only, and decides the next Automatic load', () => {
    const storage = new MapStorage();
    const m = { adapterKey: adapterKey(nvidia), webgpuMs: 31, wasmMs: 96 };
    rememberMeasurement(storage, 'toy-shapes', m);
    expect(recallMeasurement(storage, 'toy-shapes', adapterKey(nvidia))).toEqual(m);
    expect(recallMeasurement(storage, 'sd15-fp16-external', adapterKey(nvidia))).toBeUndefined();
    expect(recallMeasurement(storage, 'toy-shapes', adapterKey(amd))).toBeUndefined();
    const remembered = recallMeasurement(storage, 'toy-shapes', adapterKey(nvidia));
    expect(chooseBackend({ preference: 'auto', adapter: nvidia, wasmViable: true, remembered })).toMatchObject({ provider: 'webgpu', reason: 'measured' });
  });

  it('ignores corrupt records and storage that throws', () => {
    const storage = new MapStorage();
    storage.setItem(measurementKey('toy-shapes', adapterKey(nvidia)), '{not json');
    expect(recallMeasurement(storage, 'toy-shapes', adapterKey(nvidia))).toBeUndefined();
    storage.setItem(measurementKey('toy-shapes', adapterKey(nvidia)), JSON.stringify({ adapterKey: adapterKey(nvidia), webgpuMs: 'fast', wasmMs: 3 }));
    expect(recallMeasurement(storage, 'toy-shapes', adapterKey(nvidia))).toBeUndefined();
    const denied: StorageLike = {
      getItem: () => {
        throw new Error('SecurityError');
      },
      setItem: () => {
        throw new Error('QuotaExceededError');
      },
    };
    expect(() => rememberMeasurement(denied, 'toy-shapes', { adapterKey: 'k', webgpuMs: 1, wasmMs: 2 })).not.toThrow();
    expect(recallMeasurement(denied, 'toy-shapes', 'k')).toBeUndefined();
    expect(recallMeasurement(undefined, 'toy-shapes', 'k')).toBeUndefined();
  });
});
