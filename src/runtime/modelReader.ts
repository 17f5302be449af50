// Where a model folder's files come from: a web folder (fetch with byte progress) or any other store
// (the model cache) behind one small reader interface; plus the JSON configs and the CLIP tokenizer.

import { createPromptTokenizer, readTokenizerFiles, type PromptTokenizer } from '../text';
import { ModelFileError, fetchBytes, type FetchProgress } from './webFetch';

export interface ModelFileReader {
  /** For messages: the folder URL or the cache key. */
  readonly location: string;
  /** The model as people name it (`owner/name`), when `location` is not that; messages prefer it. */
  readonly label?: string;
  /** A file's bytes, with progress; rejects (e.g. ModelFileError) when it is missing. */
  bytes(path: string, onProgress: FetchProgress, signal?: AbortSignal): Promise<Uint8Array>;
  /** A text file, or undefined when the folder does not have it. */
  text(path: string, signal?: AbortSignal): Promise<string | undefined>;
  /** Every file path, when the store can list them (the model cache); a web folder cannot. */
  list?(): readonly string[];
}

/** A web folder (absolute URL, or a path resolved against this script's location). */
export function urlReader(baseUrl: string): ModelFileReader {
  const here = (globalThis as { location?: { href: string } }).location?.href;
  const absolute = here ? new URL(baseUrl, here).href : baseUrl;
  const base = absolute.endsWith('/') ? absolute : `${absolute}/`;
  return {
    location: base,
    bytes: (path, onProgress, signal) => fetchBytes(new URL(path, base).href, path, onProgress, signal),
    async text(path, signal) {
      const url = new URL(path, base).href;
      let response: Response;
      try {
        response = await fetch(url, { signal });
      } catch (err) {
        if (signal?.aborted) throw signal.reason;
        throw new ModelFileError(path, err instanceof Error ? err.message : String(err));
      }
      if (response.status === 404) return undefined;
      if (!response.ok) throw new ModelFileError(path, `HTTP ${response.status} from ${url}`);
      return response.text();
    },
  };
}

/** A JSON object file; undefined for a missing optional one. */
export async function readJson(reader: ModelFileReader, path: string, optional: boolean, signal?: AbortSignal): Promise<Record<string, unknown> | undefined> {
  const text = await reader.text(path, signal);
  if (text === undefined) {
    if (optional) return undefined;
    throw new ModelFileError(path, `${reader.location} has no such file`);
  }
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch (err) {
    throw new ModelFileError(path, `not valid JSON (${err instanceof Error ? err.message : String(err)})`);
  }
}

/** The model's tokenizer in any form its folder ships (src/text/tokenizerFiles.ts). */
export async function readTokenizer(reader: ModelFileReader, signal?: AbortSignal): Promise<PromptTokenizer> {
  try {
    const { json, config } = await readTokenizerFiles((name) => reader.text(`tokenizer/${name}`, signal), reader.location);
    return createPromptTokenizer(json, config);
  } catch (err) {
    if (signal?.aborted) throw err;
    throw new ModelFileError('tokenizer', err instanceof Error ? err.message : String(err));
  }
}
