/**
 * Keeps the recipe and the address bar in step: read once at start-up (with notices for ignored
 * values), then `history.replaceState` on every change so the URL is always a share link.
 */
import { useStudio, type ProviderChoice } from '../state/store';
import { decodeRecipe, encodeRecipe } from '../state/urlCodec';

const PROVIDERS: ProviderChoice[] = ['auto', 'webgpu', 'wasm'];

/** The recipe plus page settings that travel in the link (the engine preference when not auto, the Hub when not the default). */
function query(): string {
  const { recipe, engine, models } = useStudio.getState();
  let q = encodeRecipe(recipe);
  if (engine.preference !== 'auto') q += `&backend=${engine.preference}`;
  if (models.hubEndpoint) q += `&hub=${encodeURIComponent(models.hubEndpoint)}`;
  return q;
}

/** `?hub=` — another Hub endpoint (an http(s) origin, e.g. the e2e tests' mock Hub); undefined when absent or bad. */
function hubSetting(params: URLSearchParams, ignored: string[]): string | undefined {
  const raw = params.get('hub');
  if (raw === null) return undefined;
  try {
    const url = new URL(raw);
    if ((url.protocol === 'http:' || url.protocol === 'https:') && url.pathname === '/' && !url.search) return url.origin;
  } catch {
    // reported below
  }
  ignored.push(`hub=${JSON.stringify(raw.slice(0, 40))} (an http(s) origin such as http://127.0.0.1:8787)`);
  return undefined;
}

/** Reads the recipe from the URL; returns whether the URL held one (a share link). */
export function startUrlSync(): boolean {
  const { recipe, ignored } = decodeRecipe(window.location.search);
  const backend = new URLSearchParams(window.location.search).get('backend') ?? 'auto';
  if (!PROVIDERS.includes(backend as ProviderChoice)) ignored.push(`backend=${JSON.stringify(backend.slice(0, 20))} (auto, webgpu or wasm)`);
  const preference = PROVIDERS.includes(backend as ProviderChoice) ? (backend as ProviderChoice) : 'auto';
  const hubEndpoint = hubSetting(new URLSearchParams(window.location.search), ignored);
  useStudio.setState((s) => ({ recipe, notices: ignored, engine: { ...s.engine, preference }, models: { ...s.models, hubEndpoint } }));
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
