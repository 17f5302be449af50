// Which origins the built site may connect to (its CSP's connect-src; scripts/csp.ts writes the policy from the
// same list). The page checks a model's location against it before a download, so a model folder or Hub mirror
// the policy refuses gets a message that says why and what a host can do, instead of "Failed to fetch".

/** The Hub and the hosts it redirects large files to (LFS and Xet CDNs). */
export const HUB_CONNECT_SOURCES = ['https://huggingface.co', 'https://*.huggingface.co', 'https://*.hf.co'] as const;

/** Whether `url` matches one CSP source expression of the forms the policy uses: `'self'`, scheme://host[:port], `*.` hosts, `:*` ports. */
function matches(url: URL, source: string, site: string): boolean {
  if (source === "'self'") return url.origin === site;
  const m = /^(https?|wss?):\/\/(\*\.)?([\w.-]+)(?::(\d+|\*))?$/.exec(source);
  if (!m) return false;
  const [, scheme, wildcard, host, port] = m;
  if (url.protocol !== `${scheme}:`) return false;
  const hostOk = wildcard ? url.hostname.endsWith(`.${host}`) : url.hostname === host;
  const defaultPort = scheme === 'https' || scheme === 'wss' ? '443' : '80';
  const portOk = port === '*' || (url.port || defaultPort) === (port ?? defaultPort);
  return hostOk && portOk;
}

/**
 * Why the page may not fetch `url` under `sources` (undefined when it may, or when no policy applies: the dev
 * server has none, `sources` undefined).
 */
export function connectRefusal(url: string, sources: readonly string[] | undefined, site: string): string | undefined {
  if (!sources) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(url, site);
  } catch {
    return undefined; // not a URL: the download reports it
  }
  if (sources.some((s) => matches(parsed, s, site))) return undefined;
  return `this site's Content-Security-Policy lets it download only from itself and the Hugging Face Hub, not from ${parsed.origin}. Whoever hosts the site can allow that origin by building with P2P_CSP_CONNECT="${parsed.origin}" (docs/hosting.md); or use the model through the Hub.`;
}
