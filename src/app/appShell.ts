/**
 * The offline shell on the page side: registers the site's one service worker (src/offline/sw.ts, built to
 * `isolation-sw.js`; ./isolation.ts also uses it for cross-origin isolation), asks it to precache this version and
 * reports readiness (asked once the page is quiet: no run, no download), tracks online/offline, and shows the update prompt when a new version's worker is waiting.
 * "Reload" sends that worker `p2p-skip-waiting` and reloads when it takes control. Words: ./shellView.ts.
 */
import { create } from 'zustand';
import type { ShellRequest, ShellStatus } from '../offline/shell';
import { useStudio, type StudioState } from '../state/store';
import { isUpdate, precacheMayStart, type AppShellState } from './shellView';

export const useAppShell = create<AppShellState>(() => ({
  online: typeof navigator === 'undefined' ? true : navigator.onLine,
  offline: { kind: 'unsupported' },
  updateWaiting: false,
  applying: false,
}));

let registration: Promise<ServiceWorkerRegistration> | undefined;

/** Whether this page can have the worker: a secure context with service workers, and a built site (no worker in dev). */
export function shellSupported(): boolean {
  return import.meta.env.PROD && window.isSecureContext && 'serviceWorker' in navigator && navigator.serviceWorker !== undefined;
}

/** Registers the worker once (scope: the site's base path) and starts watching it; rejects when registration fails. */
export function registerShell(): Promise<ServiceWorkerRegistration> {
  const base = import.meta.env.BASE_URL;
  registration ??= navigator.serviceWorker.register(`${base}isolation-sw.js`, { scope: base }).then((reg) => {
    watch(reg);
    return reg;
  });
  return registration;
}

/** Online/offline tracking; call once at start-up. */
export function startAppShell(): void {
  const update = () => useAppShell.setState({ online: navigator.onLine });
  window.addEventListener('online', update);
  window.addEventListener('offline', update);
  update();
}

function watch(reg: ServiceWorkerRegistration): void {
  const container = navigator.serviceWorker;
  const check = () => useAppShell.setState({ updateWaiting: isUpdate(reg.waiting !== null, container.controller !== null) });
  check();
  reg.installing?.addEventListener('statechange', check);
  reg.addEventListener('updatefound', () => reg.installing?.addEventListener('statechange', check));
  container.addEventListener('controllerchange', check);
  void container.ready.then(async (ready) => {
    // Already stored (a later visit): say so at once. Else store it once the page is quiet.
    if (await askStatus(ready, false)) return;
    await quiet();
    await askStatus(ready, true);
  });
}

/** Resolves once no run and no model download is in progress (./shellView.ts `precacheMayStart`), after a short pause. */
function quiet(): Promise<void> {
  const calm = (s: StudioState) => precacheMayStart(s.run.status, s.models.download?.status);
  return new Promise((resolve) => {
    let timer: number | undefined;
    const check = (s: StudioState) => {
      if (!calm(s)) {
        window.clearTimeout(timer);
        timer = undefined;
      } else timer ??= window.setTimeout(() => (calm(useStudio.getState()) ? done() : (timer = undefined)), 1_000);
    };
    const done = () => {
      stop();
      resolve();
    };
    const stop = useStudio.subscribe(check);
    check(useStudio.getState());
  });
}

/**
 * Asks the active worker whether this version is stored (`fill`: storing what it lacks first) and records the
 * answer; resolves to whether it is complete.
 */
async function askStatus(reg: ServiceWorkerRegistration, fill: boolean): Promise<boolean> {
  const worker = reg.active;
  if (!worker) return false;
  const channel = new MessageChannel();
  const reply = new Promise<ShellStatus>((resolve) => {
    channel.port1.onmessage = (e: MessageEvent<ShellStatus>) => resolve(e.data);
  });
  const request: ShellRequest = { type: 'p2p-shell-status', fill };
  worker.postMessage(request, [channel.port2]);
  const status = await reply;
  if (status.complete && status.version) useAppShell.setState({ offline: { kind: 'ready', version: status.version, bytes: status.bytes } });
  else if (!fill) useAppShell.setState({ offline: { kind: 'preparing' } });
  else useAppShell.setState({ offline: { kind: 'failed', reason: status.error ?? 'the app could not be stored' } });
  return status.complete;
}

/** The prompt's "Reload": activate the waiting worker, then reload under it (the page calls this only between runs). */
export async function applyUpdate(): Promise<void> {
  const reg = await registration;
  const waiting = reg?.waiting;
  if (!waiting) return;
  useAppShell.setState({ applying: true });
  navigator.serviceWorker.addEventListener('controllerchange', () => window.location.reload(), { once: true });
  const request: ShellRequest = { type: 'p2p-skip-waiting' };
  waiting.postMessage(request);
}
