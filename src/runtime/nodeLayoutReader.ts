// A model folder on disk as the layout resolver's reader (src/models/layout.ts): its listing, text files
// (undefined when absent) and bytes. Node only.

import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { LayoutReader } from '../models/layout';

function walk(dir: string, root: string, out: string[]): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) walk(path, root, out);
    else if (entry.isFile() || (entry.isSymbolicLink() && statSync(path).isFile())) out.push(relative(root, path).split(sep).join('/'));
  }
  return out;
}

/** `model` names the folder in messages (default: the path as given). */
export function dirLayoutReader(dir: string, model = dir): LayoutReader {
  return {
    model,
    list: async () => (existsSync(dir) ? walk(dir, dir, []) : []),
    text: async (path) => (existsSync(join(dir, path)) ? readFileSync(join(dir, path), 'utf8') : undefined),
    bytes: async (path) => new Uint8Array(readFileSync(join(dir, path))),
  };
}
