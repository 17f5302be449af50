/**
 * Size on disk of each embedded model (every file under public/models/<id>), read when Vite or Vitest loads its
 * config and handed to the app as the build-time constant __EMBEDDED_MODEL_BYTES__ (`{ id: bytes }`), so the model
 * picker shows the size of the models actually shipped.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { listFiles } from './mock-hub/files';

const MODELS_DIR = 'public/models';

export function folderBytes(dir: string): number {
  return listFiles(dir).reduce((sum, file) => sum + statSync(file).size, 0);
}

/** `{ id: bytes }` for every model folder under public/models. */
export function embeddedModelSizes(root: string): Record<string, number> {
  const dir = join(root, MODELS_DIR);
  if (!existsSync(dir)) return {};
  const ids = readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
  return Object.fromEntries(ids.sort().map((id) => [id, folderBytes(join(dir, id))]));
}

/** Vite `define` entry; the app declares the constant in src/app/embeddedModel.ts. */
export function embeddedModelDefine(root: string): Record<string, string> {
  return { __EMBEDDED_MODEL_BYTES__: JSON.stringify(embeddedModelSizes(root)) };
}
