/**
 * Keeps the recipe and the address bar in step: read once at start-up (with notices for ignored
 * values), then `history.replaceState` on every change so the URL is always a share link.
 */
import { useStudio, type ProviderChoice } from '../state/store';
import { decodeRecipe, encodeRecipe } from '../state/urlCodec';

const PROVIDERS: ProviderChoice[] = ['auto', 'webgpu', 'wasm'];

/** The recipe plus page settings that travel in the link (the engine preference, when not auto). */
function query(): string {
  const { recipe, engine } = useStudio.getState();
  const base = encodeRecipe(recipe);
  return engine.preference === 'auto' ? base : `${base}&backend=${engine.preference}`;
}

/** Reads the recipe from the URL; returns whether the URL held one (a share link). */
export function startUrlSync(): boolean {
  const { recipe, ignored } = decodeRecipe(window.location.search);
  const backend = new URLSearchParams(window.location.search).get('backend') ?? 'auto';
  if (!PROVIDERS.includes(backend as ProviderChoice)) ignored.push(`backend=${JSON.stringify(backend.slice(0, 20))} (auto, webgpu or wasm)`);
  const preference = PROVIDERS.includes(backend as ProviderChoice) ? (backend as ProviderChoice) : 'auto';
  useStudio.setState((s) => ({ recipe, notices: ignored, engine: { ...s.engine, preference } }));
  let last = '';
  const write = (query: string) => {
    if (query === last) return;
    last = query;
    window.history.replaceState(null, '', `${window.location.pathname}?${query}`);
  };
  const fromLink = new URLSearchParams(window.location.search).has('p');
  write(query());
  useStudio.subscribe(() => write(query()));
  return fromLink;
}

export function shareLink(): string {
  return `${window.location.origin}${window.location.pathname}?${query()}`;
}
