// Cross-origin isolation for hosts that send no COOP/COEP headers (docs/hosting.md, "Without the headers").
// The page (src/app/isolation.ts) registers this service worker when it is not cross-origin isolated; from then
// on every same-origin response the page and its workers load is re-served with
//   Cross-Origin-Opener-Policy: same-origin, Cross-Origin-Embedder-Policy: require-corp,
//   Cross-Origin-Resource-Policy: same-origin
// so the next load of the page is isolated and onnxruntime-web can run wasm on several threads. Cross-origin
// requests (the Hugging Face Hub) pass through untouched: they are CORS fetches, which require-corp allows.
// Plain JavaScript served from the site itself, as the Content-Security-Policy asks (worker-src 'self').
/* eslint-env serviceworker */

const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

// Statuses whose responses must have no body.
const NULL_BODY = new Set([101, 103, 204, 205, 304]);

self.addEventListener('install', () => {
  self.skipWaiting();
});

self.addEventListener('activate', (event) => {
  // Control the already open page at once; it reloads itself (once) when this happens.
  event.waitUntil(self.clients.claim());
});

/** @param {Response} response */
function withIsolation(response) {
  // Opaque and error responses cannot be rebuilt; they go back as they came.
  if (response.type === 'opaque' || response.type === 'opaqueredirect' || response.status === 0) return response;
  const headers = new Headers(response.headers);
  for (const [name, value] of Object.entries(ISOLATION_HEADERS)) headers.set(name, value);
  return new Response(NULL_BODY.has(response.status) ? null : response.body, {
    status: response.status,
    statusText: response.statusText,
    headers,
  });
}

self.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return; // the network handles it as if there were no worker
  // Chromium throws on this combination (devtools asks for it); let the network answer.
  if (request.cache === 'only-if-cached' && request.mode !== 'same-origin') return;
  event.respondWith(fetch(request).then(withIsolation));
});
