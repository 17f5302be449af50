/**
 * Page side of the token-count worker: `useTokenCounts(prompts)` gives, per prompt, how it fills the
 * text encoder's 77 tokens, counted by the current model's own tokenizer (the embedded model's folder, or
 * a Hub model once its files are in the cache; before that: undefined, with the reason).
 */
import { useEffect, useState } from 'react';
import type { PromptTokens } from '../text/promptTokens';
import type { CountEvent, CountRequest, TokenizerSource } from '../../workers/tokenizerProtocol';
import { useStudio } from '../state/store';
import { modelUrl } from './engineSession';
import { cachedEntry, isEmbedded } from './modelCatalog';

let worker: Worker | undefined;
let nextId = 1;
const waiting = new Map<number, (event: CountEvent) => void>();

function countWorker(): Worker {
  if (!worker) {
    worker = new Worker(new URL('../../workers/tokenizer.worker.ts', import.meta.url), { type: 'module' });
    worker.onmessage = (event: MessageEvent<CountEvent>) => {
      waiting.get(event.data.id)?.(event.data);
      waiting.delete(event.data.id);
    };
    // A worker that fails to load or crashes answers every waiting count as unavailable (never "counting…" for
    // ever); the next count starts a fresh worker.
    worker.onerror = (event: ErrorEvent) => {
      const reason = `the token counter failed${event.message ? `: ${event.message}` : ''}`;
      for (const [id, resolve] of waiting) resolve({ type: 'unavailable', id, reason });
      waiting.clear();
      worker?.terminate();
      worker = undefined;
    };
  }
  return worker;
}

function count(source: TokenizerSource, prompts: string[]): Promise<CountEvent> {
  const id = nextId++;
  return new Promise((resolve) => {
    waiting.set(id, resolve);
    countWorker().postMessage({ type: 'count', id, source, prompts } satisfies CountRequest);
  });
}

export interface TokenCounts {
  counts?: PromptTokens[];
  /** Why there is no count (the model's tokenizer is not available yet). */
  unavailable?: string;
}

/** Counts after the typing pauses for this long. */
const DEBOUNCE_MS = 120;

export function useTokenCounts(prompts: string[]): TokenCounts {
  const model = useStudio((s) => s.recipe.model);
  const hubEndpoint = useStudio((s) => s.models.hubEndpoint);
  const cacheKey = useStudio((s) => cachedEntry(s.recipe.model, s.models.cached, s.models.hubEndpoint)?.model);
  const [state, setState] = useState<TokenCounts>({});
  const key = JSON.stringify(prompts);
  useEffect(() => {
    const source: TokenizerSource | undefined = isEmbedded(model)
      ? { kind: 'url', baseUrl: new URL(modelUrl(model), window.location.href).href }
      : cacheKey
        ? { kind: 'cache', key: cacheKey }
        : undefined;
    if (!source) {
      setState({ unavailable: 'the token count appears once the model is downloaded' });
      return;
    }
    let live = true;
    const timer = setTimeout(() => {
      void count(source, JSON.parse(key) as string[]).then((event) => {
        if (!live) return;
        setState(event.type === 'counts' ? { counts: event.counts } : { unavailable: `no token count: ${event.reason}` });
      });
    }, DEBOUNCE_MS);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [model, hubEndpoint, cacheKey, key]);
  return state;
}
