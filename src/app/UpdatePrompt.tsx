/**
 * "A new version is available — Reload": shown when a new version's service worker waits (./appShell.ts). The
 * button is disabled while a run loads or runs, so the page never swaps versions under a generation.
 */
import { useStudio } from '../state/store';
import { applyUpdate, useAppShell } from './appShell';
import { updatePromptView } from './shellView';

export function UpdatePrompt() {
  const shell = useAppShell();
  const busy = useStudio((s) => s.run.status === 'loading' || s.run.status === 'running');
  const view = updatePromptView(shell, busy);
  if (!view) return null;
  return (
    <div role="status" className="notice row" data-testid="update-prompt">
      <p>{view.text}</p>
      <button type="button" disabled={view.disabled} onClick={() => void applyUpdate()}>
        {view.button}
      </button>
    </div>
  );
}
