// The built site's Content-Security-Policy, in one place: the meta tag that `vite build` writes into index.html,
// the header `vite preview` sends, and docs/hosting.md's server examples all come from here.
// - scripts only from the site itself, plus 'wasm-unsafe-eval' (onnxruntime-web compiles its .wasm; no JS eval);
// - connections only to the site, the Hugging Face Hub and its CDNs (model downloads), plus any origins a host
//   adds at build time (`P2P_CSP_CONNECT`, space-separated: a Hub mirror, or the e2e tests' local mock Hub);
// - workers from the site; images from the site, data: and blob: (canvas PNG export, downloads).

import { HUB_CONNECT_SOURCES } from '../src/models/connectPolicy';

export { HUB_CONNECT_SOURCES };

export function cspDirectives(extraConnect: readonly string[] = []): Record<string, string[]> {
  return {
    'default-src': ["'self'"],
    'script-src': ["'self'", "'wasm-unsafe-eval'"],
    'worker-src': ["'self'"],
    'connect-src': ["'self'", ...HUB_CONNECT_SOURCES, ...extraConnect],
    'img-src': ["'self'", 'data:', 'blob:'],
    'style-src': ["'self'"],
    'font-src': ["'self'"],
    'object-src': ["'none'"],
    'base-uri': ["'self'"],
    'form-action': ["'self'"],
  };
}

/** The policy as one header/meta value. `header` adds what only a response header can carry. */
export function contentSecurityPolicy(extraConnect: readonly string[] = [], header = false): string {
  const d = cspDirectives(extraConnect);
  if (header) d['frame-ancestors'] = ["'self'"];
  return Object.entries(d)
    .map(([k, v]) => `${k} ${v.join(' ')}`)
    .join('; ');
}

/** Extra connect-src origins from the build environment (`P2P_CSP_CONNECT="https://hf-mirror.com"`). */
export function extraConnectFromEnv(env: Record<string, string | undefined>): string[] {
  const raw = env.P2P_CSP_CONNECT?.trim();
  if (!raw) return [];
  const sources = raw.split(/\s+/);
  for (const s of sources) {
    if (!/^(https?|wss?):\/\/[\w.*-]+(:(\d+|\*))?$/.test(s)) throw new Error(`P2P_CSP_CONNECT: "${s}" is not an origin like https://hf-mirror.com or http://127.0.0.1:*`);
  }
  return sources;
}
