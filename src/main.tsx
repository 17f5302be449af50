/**
 * Page entry: mounts the studio and installs the end-to-end test hook.
 */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/App';
import { installStudioHook } from './app/studioHook';
import { openSharedLink } from './app/engineSession';
import { startUrlSync } from './app/urlSync';
import './app/styles.css';
import { refreshCached } from './app/modelDownloads';

installStudioHook();
// A share link on the embedded model (or a cached Hub model) generates at once; a download is asked for first.
if (startUrlSync()) void openSharedLink();
else void refreshCached();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
