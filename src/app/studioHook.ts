/**
 * The typed test hook on `window`: the same entry points the UI uses, for end-to-end tests.
 */
import { probeGpu } from './gpuProbeClient';
import { checkUnet } from './unetCheckClient';

export interface StudioHook {
  probeGpu: typeof probeGpu;
  checkUnet: typeof checkUnet;
}

declare global {
  interface Window {
    __studio?: StudioHook;
  }
}

export function installStudioHook(): void {
  window.__studio = { probeGpu, checkUnet };
}
