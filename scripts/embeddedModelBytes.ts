/**
 * Size on disk of the embedded toy model (every file under public/models/toy-shapes), read when Vite
 * or Vitest loads its config and handed to the app as the build-time constant __EMBEDDED_MODEL_BYTES__,
 * so the model picker shows the size of the model actually shipped.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { listFiles } from './mock-hub/files';

const EMBEDDED_MODEL_DIR = 'public/models/toy-shapes';

export function folderBytes(dir: string): number {
  return listFiles(dir).reduce((sum, file) => sum + statSync(file).size, 0);
}

/** Vite `define` entry; the app declares the constant in src/app/embeddedModel.ts. */
export function embeddedModelDefine(root: string): Record<string, string> {
  return { __EMBEDDED_MODEL_BYTES__: JSON.stringify(folderBytes(join(root, EMBEDDED_MODEL_DIR))) };
}
