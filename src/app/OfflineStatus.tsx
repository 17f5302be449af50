/**
 * One line in the model panel on offline use: whether this version of the app is stored in the browser (the
 * service worker's precache, ./appShell.ts), and "You are offline" while the browser is.
 */
import { useAppShell } from './appShell';
import { offlineLine } from './shellView';

export function OfflineStatus() {
  const online = useAppShell((s) => s.online);
  const offline = useAppShell((s) => s.offline);
  const line = offlineLine({ online, offline });
  if (!line) return null;
  return (
    <p role="status" data-testid="offline-status" data-ready={offline.kind === 'ready' ? offline.version : undefined} data-online={String(online)}>
      {line}
    </p>
  );
}
