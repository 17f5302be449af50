/**
 * The typed test hook on `window`: the same entry points the UI uses, for end-to-end tests.
 */
import { probeGpu } from './gpuProbeClient';
import { checkKernels } from './kernelCheckClient';
import { checkUnet } from './unetCheckClient';
import { EngineClient, type Engine } from '../../workers/engineClient';

export interface StudioHook {
  probeGpu: typeof probeGpu;
  checkKernels: typeof checkKernels;
  checkUnet: typeof checkUnet;
  /** A fresh engine (its own worker) for the e2e specs; `terminate()` it when done. */
  createEngine: () => Engine;
}

declare global {
  interface Window {
    __studio?: StudioHook;
  }
}

export function installStudioHook(): void {
  window.__studio = { probeGpu, checkKernels, checkUnet, createEngine: () => new EngineClient() };
}
