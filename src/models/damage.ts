// Cached files known to be bad (wrong size or sha256 when loaded, gone, or unreadable as a model): a
// marker is stored beside the model, which then counts as not complete and stops loading with a
// `damaged` error before any network use, until the user agrees to download those files again.

import { DAMAGE_DIR, fileKey, MANIFEST_PATH, parseDamage, type Damage, type ModelStore } from './cache';
import { ModelError } from './errors';
import { formatBytes } from './progress';

/** Records a bad file (replacing any earlier record of it). */
export async function markDamaged(store: ModelStore, sourceKey: string, damage: Damage): Promise<void> {
  const body = new Blob([JSON.stringify(damage)]);
  await store.put(fileKey(sourceKey, DAMAGE_DIR + damage.path), body, { size: body.size, storedAt: Date.now() });
}

/** The model's files known to be bad. */
export async function listDamage(store: ModelStore, sourceKey: string): Promise<Damage[]> {
  const prefix = fileKey(sourceKey, DAMAGE_DIR);
  const out: Damage[] = [];
  for (const e of await store.list(prefix)) {
    out.push(parseDamage(e.key.slice(prefix.length), await (await store.get(e.key))?.blob.text()));
  }
  return out.sort((a, b) => a.path.localeCompare(b.path));
}

/**
 * The user agreed to download the bad files again: drops them (complete entry and any partial), their
 * markers and the model's manifest, so the next load or download fetches exactly those files and
 * stores a new manifest. Returns the paths dropped.
 */
export async function dropDamaged(store: ModelStore, sourceKey: string): Promise<string[]> {
  const damaged = await listDamage(store, sourceKey);
  for (const d of damaged) {
    await store.delete(fileKey(sourceKey, d.path));
    await store.delete(fileKey(sourceKey, DAMAGE_DIR + d.path));
  }
  if (damaged.length > 0) await store.delete(fileKey(sourceKey, MANIFEST_PATH));
  return damaged.map((d) => d.path);
}

/** Bytes to download again for these files (the known sizes) and whether every size was known. */
export function redownloadBytes(damaged: readonly Damage[]): { bytes: number; complete: boolean } {
  return { bytes: damaged.reduce((n, d) => n + (d.size ?? 0), 0), complete: damaged.every((d) => d.size !== undefined) };
}

/** The `damaged` error for a model (`what`, as people name it) with these bad files: what is wrong and what to do. */
export function damagedError(what: string, damaged: readonly Damage[]): ModelError {
  const { bytes, complete } = redownloadBytes(damaged);
  const size = bytes > 0 ? ` (${complete ? '' : 'at least '}${formatBytes(bytes)})` : '';
  const which = damaged.length === 1 ? 'it' : `these ${damaged.length} files`;
  const problems = damaged.map((d) => d.message).join(' ');
  return new ModelError('damaged', `${problems} Re-download ${which}${size} to use ${what} again.`, damaged[0]?.path);
}
