import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';
import { contentSecurityPolicy, cspDirectives, extraConnectFromEnv } from './scripts/csp';
import { embeddedModelDefine } from './scripts/embeddedModelBytes';
import { offlineShell } from './scripts/offline/plugin';
import { testHooksDefine } from './scripts/testHooks';

// Cross-origin isolation lets onnxruntime-web use multi-threaded wasm (SharedArrayBuffer).
const isolationHeaders = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

// The built site carries its Content-Security-Policy as a meta tag (any static host), and `vite preview` also
// sends it as a header, as docs/hosting.md asks hosts to. The dev server has none (Vite's HMR injects scripts).
const extraConnect = extraConnectFromEnv(process.env);

function cspMeta(): Plugin {
  return {
    name: 'p2p-csp-meta',
    apply: 'build',
    transformIndexHtml: () => [{ tag: 'meta', attrs: { 'http-equiv': 'Content-Security-Policy', content: contentSecurityPolicy(extraConnect) }, injectTo: 'head-prepend' }],
  };
}

export default defineConfig(({ command }) => ({
  plugins: [react(), cspMeta(), offlineShell()],
  define: {
    ...embeddedModelDefine(import.meta.dirname),
    // P2P_TEST_HOOKS=1 (the e2e builds) puts the test hook in; `npm run build` leaves it out (scripts/testHooks.ts).
    ...testHooksDefine(process.env),
    // The built page knows its own connect-src, to explain a refused model location before fetching (none in dev).
    __P2P_CONNECT_SRC__: JSON.stringify(command === 'build' ? cspDirectives(extraConnect)['connect-src'] : null),
  },
  server: { headers: isolationHeaders },
  preview: { headers: { ...isolationHeaders, 'Content-Security-Policy': contentSecurityPolicy(extraConnect, true) } },
  worker: { format: 'es' },
  optimizeDeps: { exclude: ['onnxruntime-web'] },
  build: { target: 'es2022', chunkSizeWarningLimit: 2048 },
}));
