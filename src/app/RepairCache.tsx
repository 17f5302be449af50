/**
 * Asks before downloading damaged cached files again: which model, which files, what is wrong with each
 * and how much to download; "Re-download" drops and refetches just those files, "Cancel" leaves them
 * (the model stays marked damaged, and the next run asks again).
 */
import { useState } from 'react';
import { formatBytes, redownloadBytes } from '../models';
import { useStudio } from '../state/store';
import { redownloadDamaged } from './engineSession';
import { cachedEntry } from './modelCatalog';

export function RepairCache() {
  const model = useStudio((s) => s.recipe.model);
  const cached = useStudio((s) => s.models.cached);
  const hubEndpoint = useStudio((s) => s.models.hubEndpoint);
  const runId = useStudio((s) => s.run.id);
  const downloading = useStudio((s) => s.models.download?.status === 'running');
  const [dismissed, setDismissed] = useState<string>();
  const damaged = cachedEntry(model, cached, hubEndpoint)?.damaged ?? [];
  // Cancel hides this prompt for these files until the next run.
  const signature = `${runId}|${model}|${damaged.map((d) => `${d.path}:${d.reason}`).join(',')}`;
  if (damaged.length === 0 || dismissed === signature) return null;
  const { bytes, complete } = redownloadBytes(damaged);
  const size = bytes > 0 ? `${complete ? '' : 'at least '}${formatBytes(bytes)}` : 'size unknown';
  const files = damaged.length === 1 ? damaged[0].path : `${damaged.length} files`;
  return (
    <div role="alertdialog" aria-labelledby="repair-title" aria-describedby="repair-text" className="notice" data-testid="repair-cache">
      <h3 id="repair-title">
        Cannot use {files} of {model} from this browser’s cache
      </h3>
      <ul id="repair-text">
        {damaged.map((d) => (
          <li key={d.path}>{d.message}</li>
        ))}
      </ul>
      <p>
        Download {damaged.length === 1 ? 'it' : 'them'} again ({size})? The model’s other files stay cached.
      </p>
      <div className="row">
        <button type="button" className="primary" disabled={downloading} onClick={() => void redownloadDamaged(model)}>
          Re-download
        </button>
        <button type="button" onClick={() => setDismissed(signature)}>
          Cancel
        </button>
      </div>
    </div>
  );
}
