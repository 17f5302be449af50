/**
 * Models kept in this browser's Cache Storage: size, complete, interrupted (resumable) or damaged (files
 * that failed their check when loaded), and Delete (complete files and partial downloads alike).
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

function status(c: CachedModel): string {
  if (c.damaged.length > 0) return `damaged (${c.damaged.map((d) => d.path).join(', ')}): download again to use it`;
  return c.complete ? 'complete' : 'incomplete (resumes)';
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
              {label(c)} — {formatBytes(c.bytes + c.partialBytes)}, {status(c)}{' '}
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
