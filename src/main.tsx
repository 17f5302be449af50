/**
 * Page entry: mounts the studio and installs the end-to-end test hook.
 */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/App';
import { installStudioHook } from './app/studioHook';
import { generate } from './app/engineSession';
import { startUrlSync } from './app/urlSync';
import './app/styles.css';
import { useStudio } from './state/store';

installStudioHook();
// A share link on the embedded model generates at once (a Hub model would ask before downloading).
if (startUrlSync() && useStudio.getState().recipe.model === 'toy-shapes') void generate();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
