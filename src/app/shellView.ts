/**
 * What the page says about the offline shell (pure, unit-tested): the "new version" prompt (never a swap while a
 * run is loading or running), the offline-readiness line, and the message for a model that is not downloaded
 * while the browser is offline. The state lives in ./appShell.ts.
 */

export type OfflineReadiness =
  | { kind: 'unsupported' }
  | { kind: 'preparing' }
  | { kind: 'ready'; version: string; bytes: number }
  | { kind: 'failed'; reason: string };

export interface AppShellState {
  /** `navigator.onLine`, kept current by the `online` / `offline` events. */
  online: boolean;
  offline: OfflineReadiness;
  /** A new version's worker is installed and waiting for the user's reload. */
  updateWaiting: boolean;
  /** The user asked for the new version: the page reloads once it takes control. */
  applying: boolean;
}

export interface UpdatePromptView {
  text: string;
  button: string;
  disabled: boolean;
}

export function updatePromptView(state: Pick<AppShellState, 'updateWaiting' | 'applying'>, runBusy: boolean): UpdatePromptView | undefined {
  if (!state.updateWaiting && !state.applying) return undefined;
  if (state.applying) return { text: 'A new version is available — reloading…', button: 'Reload', disabled: true };
  if (runBusy) return { text: 'A new version is available — reload once this run has finished.', button: 'Reload', disabled: true };
  return { text: 'A new version is available.', button: 'Reload', disabled: false };
}

/**
 * Whether the page may ask for the first-visit precache now: not while a run loads or runs, nor while a model
 * downloads (the precache would compete with them for the network and the CPU; the run's own first load fetches
 * the same wasm and model files anyway).
 */
export function precacheMayStart(runStatus: string, downloadStatus: string | undefined): boolean {
  return runStatus !== 'loading' && runStatus !== 'running' && downloadStatus !== 'running';
}

/** Whether a worker that just reached `installed` is an update (the page already has a controller) rather than the first install. */
export function isUpdate(installedWaiting: boolean, hasController: boolean): boolean {
  return installedWaiting && hasController;
}

function megabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

export function offlineLine(state: Pick<AppShellState, 'online' | 'offline'>): string | undefined {
  const o = state.offline;
  const prefix = state.online ? '' : 'You are offline. ';
  switch (o.kind) {
    case 'unsupported':
      return state.online ? undefined : `${prefix}This browser keeps no offline copy of the app here.`;
    case 'preparing':
      return `${prefix}Storing the app for offline use…`;
    case 'ready':
      return `${prefix}Works offline: this version (${o.version.slice(0, 8)}, ${megabytes(o.bytes)} with the embedded models) is stored in this browser.`;
    case 'failed':
      return `${prefix}Not available offline: ${o.reason}`;
  }
}

/** A Hub / URL model that is not (completely) in the model cache while the browser is offline. */
export function offlineModelMessage(title: string): string {
  return `You are offline; ${title} is not downloaded yet, so it cannot be downloaded now. Nothing is lost: the prompts and settings stay in this page and its link. Connect to the internet, then download it; the embedded models work offline.`;
}
