/**
 * Keeps the recipe and the address bar in step: read once at start-up (version 1 or 2 links, with notices for
 * ignored values), then `history.replaceState` on every change, in the version 2 format (`?r=2.…`, see
 * src/state/linkCodec.ts), so the URL is always a share link.
 */
import { decodeLink, encodeLink } from '../state/linkCodec';
import { useStudio, type ProviderChoice } from '../state/store';

const PROVIDERS: ProviderChoice[] = ['auto', 'webgpu', 'wasm'];

/** The recipe plus page settings that travel in the link (the engine preference when not auto, the Hub when not the default). */
async function query(): Promise<string> {
  const { recipe, engine, models } = useStudio.getState();
  let q = await encodeLink(recipe);
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

/** The address bar's query as last written (or being written): the share button waits for it. */
let latest: Promise<string> | undefined;

/** Reads the recipe from the URL; resolves to whether the URL held one (a share link). */
export async function startUrlSync(): Promise<boolean> {
  const params = new URLSearchParams(window.location.search);
  const { recipe, ignored, fromLink } = await decodeLink(window.location.search);
  const backend = params.get('backend') ?? 'auto';
  if (!PROVIDERS.includes(backend as ProviderChoice)) ignored.push(`backend=${JSON.stringify(backend.slice(0, 20))} (auto, webgpu or wasm)`);
  const preference = PROVIDERS.includes(backend as ProviderChoice) ? (backend as ProviderChoice) : 'auto';
  const hubEndpoint = hubSetting(params, ignored);
  useStudio.setState((s) => ({ recipe, notices: ignored, engine: { ...s.engine, preference }, models: { ...s.models, hubEndpoint } }));
  // Encoding is async (CompressionStream): each change starts one, and only the newest one may write.
  let written = '';
  let sequence = 0;
  const write = () => {
    const mine = ++sequence;
    latest = query();
    void latest.then((q) => {
      if (mine !== sequence || q === written) return;
      written = q;
      window.history.replaceState(null, '', `${window.location.pathname}?${q}`);
    });
  };
  write();
  useStudio.subscribe(write);
  return fromLink;
}

/** The share link of the current recipe (waits for an address-bar write still being encoded). */
export async function shareLink(): Promise<string> {
  return `${window.location.origin}${window.location.pathname}?${await (latest ?? query())}`;
}
