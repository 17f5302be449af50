/**
 * Page entry: mounts the studio; in e2e builds (P2P_TEST_HOOKS=1, scripts/testHooks.ts) also installs the test hook.
 * Without COOP/COEP headers it first tries cross-origin isolation through the service worker (./app/isolation),
 * which may reload the page once; a share link's generation waits until that is settled.
 */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/App';
import { installStudioHook } from './app/studioHook';
import { openSharedLink } from './app/engineSession';
import { startUrlSync } from './app/urlSync';
import './app/styles.css';
import { refreshCached } from './app/modelDownloads';
import { ensureIsolation } from './app/isolation';
import { startAppShell } from './app/appShell';

/** Build-time constant (vite.config.ts): `false` in production, so the hook and its test-only workers are dropped. */
declare const __P2P_TEST_HOOKS__: boolean;

if (__P2P_TEST_HOOKS__) installStudioHook();
// The link is read (version 2 links unpack asynchronously) before the first render, so the controls never show
// the defaults first. A share link on the embedded model (or a cached Hub model) generates at once, once the
// isolation attempt is settled (it may reload the page); a download is asked for first.
startAppShell();
const isolation = ensureIsolation();
void startUrlSync().then(async (fromLink) => {
  createRoot(document.getElementById('root')!).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
  const state = await isolation;
  if (state.kind === 'reloading') return; // the next load does the work
  if (fromLink) void openSharedLink();
  else void refreshCached();
});
