/**
 * The current model download: overall and per-file bytes, rate and time left, Cancel, and how it ended
 * (a failure says which file and why; a cancelled download keeps what arrived and resumes next time).
 */
import { formatProgress } from '../models';
import { useStudio } from '../state/store';
import { cancelDownload } from './engineSession';

export function DownloadProgress() {
  const download = useStudio((s) => s.models.download);
  if (!download) return null;
  const p = download.progress;
  const files = p ? Object.values(p.byFile) : [];
  return (
    <div className="download" data-testid="download" aria-live="polite">
      <p data-testid="download-status">
        {download.status === 'running' && `Downloading ${download.model}${p ? `: ${formatProgress(p)} (${p.filesDone} of ${p.files} files)` : '…'}`}
        {download.status === 'done' && `Downloaded ${download.model}${p ? ` (${formatProgress({ ...p, rate: 0, secondsLeft: 0 })})` : ''}; it is cached in this browser.`}
        {download.status === 'cancelled' && 'Download cancelled. What arrived is kept and the next try resumes it.'}
        {download.status === 'error' && 'Download failed.'}
      </p>
      {download.status === 'running' && (
        <>
          <progress max={p?.total || 1} value={p?.loaded ?? 0} aria-label="Download progress" />
          <button type="button" onClick={cancelDownload}>
            Cancel download
          </button>
        </>
      )}
      {download.status === 'error' && download.error && (
        <p role="alert" className="error-text" data-testid="download-error">
          {download.error.message}
        </p>
      )}
      {files.length > 0 && (
        <details>
          <summary>Files</summary>
          <ul data-testid="download-files">
            {files.map((f) => (
              <li key={f.file}>
                {f.file}: {f.done ? 'done' : formatProgress({ loaded: f.loaded, total: f.total, rate: f.rate, secondsLeft: f.secondsLeft })}
                {f.resumedFrom > 0 ? ` (resumed at ${f.resumedFrom} bytes)` : ''}
                {f.attempt > 1 ? ` (attempt ${f.attempt})` : ''}
              </li>
            ))}
          </ul>
        </details>
      )}
    </div>
  );
}
