/**
 * Models kept in this browser's Cache Storage: size, complete or interrupted (resumable), and Delete
 * (complete files and partial downloads alike).
 */
import { formatBytes, type CachedModel } from '../models';
import { useStudio } from '../state/store';
import { deleteModel, refreshCached } from './modelDownloads';

/** `hub:<endpoint>|owner/name@rev` → `owner/name@rev (endpoint)` for people. */
function label(c: CachedModel): string {
  const m = /^hub:(?:(.+)\|)?(.+)$/.exec(c.model);
  if (m) return m[1] ? `${m[2]} (${m[1]})` : m[2];
  return c.model.replace(/^url:/, '');
}

export function CachedModels() {
  const cached = useStudio((s) => s.models.cached);
  return (
    <div data-testid="cached-models">
      <h3>Cached models</h3>
      {cached.length === 0 ? (
        <p className="muted">No models cached in this browser.</p>
      ) : (
        <ul>
          {cached.map((c) => (
            <li key={c.model}>
              {label(c)} — {formatBytes(c.bytes + c.partialBytes)}, {c.complete ? 'complete' : 'incomplete (resumes)'}{' '}
              <button type="button" aria-label={`Delete ${label(c)}`} onClick={() => void deleteModel(c.model)}>
                Delete
              </button>
            </li>
          ))}
        </ul>
      )}
      <button type="button" onClick={() => void refreshCached()}>
        Refresh list
      </button>
    </div>
  );
}
