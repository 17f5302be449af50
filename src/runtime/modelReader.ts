// Where a model folder's files come from: a web folder (fetch with byte progress) or any other store
// (the model cache) behind one small reader interface; plus the JSON configs and the CLIP tokenizer.

import { buildClipTokenizerJson, createPromptTokenizer, parseMerges, type PromptTokenizer } from '../text';
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

/** `tokenizer/tokenizer.json`, else `tokenizer/vocab.json` + `merges.txt` (what SD exports ship); config optional. */
export async function readTokenizer(reader: ModelFileReader, signal?: AbortSignal): Promise<PromptTokenizer> {
  const config = (await readJson(reader, 'tokenizer/tokenizer_config.json', true, signal)) ?? {};
  const json = await readJson(reader, 'tokenizer/tokenizer.json', true, signal);
  if (json) return createPromptTokenizer(json, config);
  const [vocab, merges] = await Promise.all([readJson(reader, 'tokenizer/vocab.json', true, signal), reader.text('tokenizer/merges.txt', signal)]);
  if (!vocab || merges === undefined) {
    throw new ModelFileError('tokenizer', `${reader.location} has no tokenizer/tokenizer.json, nor tokenizer/vocab.json + merges.txt`);
  }
  return createPromptTokenizer(buildClipTokenizerJson(vocab as Record<string, number>, parseMerges(merges)), config);
}
