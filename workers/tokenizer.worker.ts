// Module worker that counts prompt tokens with the model's own tokenizer (the files the engine reads,
// through the same readTokenizer), so the page's count is the engine's; the tokenizer is loaded once per source.

import { CacheStorageModelStore, fileKey } from '../src/models';
import { readTokenizer, urlReader, type ModelFileReader } from '../src/runtime/modelReader';
import { promptTokens } from '../src/text/promptTokens';
import type { PromptTokenizer } from '../src/text';
import type { CountEvent, CountRequest, TokenizerSource } from './tokenizerProtocol';

const scope = self as unknown as DedicatedWorkerGlobalScope;

/** Files of a cached model, read straight from Cache Storage (never the network). */
function cacheReader(key: string): ModelFileReader {
  const store = new CacheStorageModelStore();
  const blob = async (path: string) => (await store.get(fileKey(key, path)))?.blob;
  return {
    location: key,
    async bytes(path) {
      const b = await blob(path);
      if (!b) throw new Error(`${path} is not in the cache`);
      return new Uint8Array(await b.arrayBuffer());
    },
    async text(path) {
      return (await blob(path))?.text();
    },
  };
}

const loaded = new Map<string, Promise<PromptTokenizer>>();

function tokenizerFor(source: TokenizerSource): Promise<PromptTokenizer> {
  const key = source.kind === 'url' ? `url:${source.baseUrl}` : `cache:${source.key}`;
  let tok = loaded.get(key);
  if (!tok) {
    tok = readTokenizer(source.kind === 'url' ? urlReader(source.baseUrl) : cacheReader(source.key));
    loaded.set(key, tok);
    // A failed load (files not cached yet) is tried again next time.
    tok.catch(() => loaded.delete(key));
  }
  return tok;
}

scope.onmessage = async (event: MessageEvent<CountRequest>) => {
  const { id, source, prompts } = event.data;
  const post = (message: CountEvent) => scope.postMessage(message);
  try {
    const tok = await tokenizerFor(source);
    post({ type: 'counts', id, counts: prompts.map((p) => promptTokens(tok, p)) });
  } catch (err) {
    post({ type: 'unavailable', id, reason: err instanceof Error ? err.message : String(err) });
  }
};
