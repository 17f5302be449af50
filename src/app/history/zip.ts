/**
 * The history's ZIP writer, in its own chunk (loaded only when a user exports): fflate's synchronous zip, PNGs
 * stored as they are (already compressed), JSON deflated.
 */
import { zipSync, type Zippable } from 'fflate';

export function zipFiles(files: Record<string, Uint8Array>): Uint8Array {
  const entries: Zippable = {};
  for (const [name, data] of Object.entries(files)) entries[name] = [data, { level: name.endsWith('.png') ? 0 : 6 }];
  return zipSync(entries);
}
