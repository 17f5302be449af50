/**
 * Reads a text resource from a URL (browser, worker, or Node with http/file URLs) or a file path (Node).
 * Kept free of DOM and Node typings so pure modules can use it in every runtime.
 */

/** Error for a resource that does not exist (so callers can try an alternative layout). */
export class ResourceNotFoundError extends Error {
  constructor(readonly location: string, detail: string) {
    super(`cannot read ${location}: ${detail}`);
    this.name = 'ResourceNotFoundError';
  }
}

interface NodeFs {
  readFile(path: string, encoding: 'utf8'): Promise<string>;
}

function isNode(): boolean {
  const proc = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof proc?.versions?.node === 'string';
}

function looksLikeUrl(location: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(location) || location.startsWith('blob:') || location.startsWith('data:');
}

/** Joins a folder (path or URL) and a file name with exactly one slash. */
export function joinLocation(dir: string, file: string): string {
  return dir.endsWith('/') ? dir + file : `${dir}/${file}`;
}

export async function readText(location: string): Promise<string> {
  if (isNode() && !looksLikeUrl(location)) {
    // A variable specifier keeps bundlers from pulling Node's fs into browser builds.
    const fsModule = 'node:fs/promises';
    const fs = (await import(/* @vite-ignore */ fsModule)) as NodeFs;
    try {
      return await fs.readFile(location, 'utf8');
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === 'ENOENT') throw new ResourceNotFoundError(location, 'no such file');
      throw err;
    }
  }
  const response = await fetch(location);
  if (response.status === 404) throw new ResourceNotFoundError(location, 'HTTP 404');
  if (!response.ok) throw new Error(`cannot read ${location}: HTTP ${response.status}`);
  return response.text();
}

export async function readJson<T>(location: string): Promise<T> {
  const text = await readText(location);
  try {
    return JSON.parse(text) as T;
  } catch (err) {
    throw new Error(`${location} is not valid JSON: ${(err as Error).message}`);
  }
}
