/**
 * Cross-origin isolation on any static host. Multi-threaded wasm needs `crossOriginIsolated`, which needs the
 * COOP/COEP response headers. A host that sends them (docs/hosting.md) needs nothing more. Otherwise the page
 * registers our service worker (src/offline/sw.ts, built to isolation-sw.js), which re-serves the site's responses with those headers,
 * and reloads once when the worker takes control. A guard in sessionStorage allows one such reload per tab
 * session: if the page is still not isolated after it, or anything fails (no service worker support, private
 * mode, a host that does not serve the worker file), wasm runs on one thread and the model panel says so.
 * The same worker keeps the app for offline use (./appShell.ts): an isolated page registers it too, without reloading.
 */
import { create } from 'zustand';
import { registerShell, shellSupported } from './appShell';

export type IsolationState =
  | { kind: 'isolated' }
  | { kind: 'pending' }
  | { kind: 'reloading' }
  | { kind: 'single-thread'; reason: string };

export const useIsolation = create<IsolationState>(() => ({ kind: 'pending' }));

const STORAGE_BLOCKED = 'the page cannot keep its reload guard (storage is blocked)';

/** The sessionStorage key of the reload guard: set just before the one reload, cleared once isolated. */
export const RELOAD_GUARD_KEY = 'p2p-isolation-reload';

export interface IsolationEnv {
  isolated: boolean;
  /** `navigator.serviceWorker` exists and the context is secure (https or localhost). */
  serviceWorker: boolean;
  /** Whether the guard says this tab already reloaded for isolation; `undefined` when storage is unusable. */
  reloadedBefore: boolean | undefined;
}

/** What to do at start-up (pure, unit-tested): nothing, register the worker, or give up with a reason. */
export function isolationPlan(env: IsolationEnv): { kind: 'isolated' } | { kind: 'register' } | { kind: 'single-thread'; reason: string } {
  if (env.isolated) return { kind: 'isolated' };
  if (!env.serviceWorker) return { kind: 'single-thread', reason: 'this browser offers no service worker here (an insecure origin, or private mode)' };
  if (env.reloadedBefore === undefined) return { kind: 'single-thread', reason: STORAGE_BLOCKED };
  if (env.reloadedBefore) return { kind: 'single-thread', reason: 'the page was reloaded once for it and is still not isolated' };
  return { kind: 'register' };
}

export function singleThreadNotice(reason: string): string {
  return `WebAssembly runs on one thread: this host sends no cross-origin isolation headers and the service worker could not provide them (${reason}).`;
}

function readGuard(): boolean | undefined {
  try {
    return window.sessionStorage.getItem(RELOAD_GUARD_KEY) !== null;
  } catch {
    return undefined;
  }
}

function setGuard(on: boolean): boolean {
  try {
    if (on) window.sessionStorage.setItem(RELOAD_GUARD_KEY, String(Date.now()));
    else window.sessionStorage.removeItem(RELOAD_GUARD_KEY);
    return true;
  } catch {
    return false;
  }
}

/** Reloads once under the guard; resolves to the final state (never resolves when the page reloads). */
function reloadOnce(): IsolationState {
  if (!setGuard(true)) return { kind: 'single-thread', reason: STORAGE_BLOCKED };
  window.location.reload();
  return { kind: 'reloading' };
}

/**
 * Starts at page load. Resolves to the settled state: 'isolated', 'single-thread', or 'reloading' (the page is
 * about to reload; callers should start no work).
 */
export async function ensureIsolation(): Promise<IsolationState> {
  const isolated = window.crossOriginIsolated === true;
  const plan = isolationPlan({
    isolated,
    serviceWorker: window.isSecureContext && 'serviceWorker' in navigator && navigator.serviceWorker !== undefined,
    reloadedBefore: isolated ? false : readGuard(),
  });
  let state: IsolationState;
  if (plan.kind === 'isolated') {
    setGuard(false);
    state = { kind: 'isolated' };
    // Offline use only: nothing waits for it, and taking control causes no reload.
    if (shellSupported()) void registerShell().catch(() => undefined);
  } else if (plan.kind === 'single-thread') {
    state = plan;
    if (shellSupported()) void registerShell().catch(() => undefined);
  } else {
    state = await registerAndReload();
  }
  useIsolation.setState(state, true);
  return state;
}

async function registerAndReload(): Promise<IsolationState> {
  const container = navigator.serviceWorker;
  try {
    await registerShell();
  } catch (e) {
    return { kind: 'single-thread', reason: `its registration failed: ${e instanceof Error ? e.message : String(e)}` };
  }
  // Already controlled (an earlier visit) but not isolated: the worker was not in charge of this load
  // (a hard reload bypasses it). A reload under its control fixes that.
  if (container.controller) return reloadOnce();
  return new Promise<IsolationState>((resolve) => {
    const timer = window.setTimeout(() => resolve({ kind: 'single-thread', reason: 'it did not take control of the page in time' }), 10_000);
    container.addEventListener('controllerchange', () => {
      window.clearTimeout(timer);
      resolve(reloadOnce());
    }, { once: true });
  });
}
