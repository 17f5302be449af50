/**
 * Page entry: mounts the studio and installs the end-to-end test hook.
 */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/App';
import { installStudioHook } from './app/studioHook';
import { startUrlSync } from './app/urlSync';
import './app/styles.css';

installStudioHook();
startUrlSync();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
