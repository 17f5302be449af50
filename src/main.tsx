/**
 * Page entry: mounts the studio and exposes a typed hook for end-to-end tests.
 */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/App';
import { probeGpu } from './app/gpuProbeClient';
import './app/styles.css';

declare global {
  interface Window {
    /** End-to-end test hook: the same entry points the UI uses. */
    __studio?: { probeGpu: typeof probeGpu };
  }
}
window.__studio = { probeGpu };

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
