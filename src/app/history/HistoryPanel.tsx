/**
 * The run history under the results: every finished run kept in this browser (newest first) with its thumbnail,
 * prompts, model, steps and time; Open puts it back on the stage with the same pixels, ZIP exports it, Delete
 * removes it. A notice says when storage was full and older runs were evicted, or why history is off.
 */
import { useEffect, useState } from 'react';
import type { RunSummary } from '../../history/runRecord';
import { deleteRun, dismissHistoryNotice, exportRuns, reopenRun, startHistory, useHistory } from './historySession';

function Thumbnail({ run }: { run: RunSummary }) {
  // Made and revoked in one effect (StrictMode runs effects twice; a memoised URL would be revoked under the img).
  const [url, setUrl] = useState<string>();
  useEffect(() => {
    const made = URL.createObjectURL(new Blob([run.thumbnail.png as Uint8Array<ArrayBuffer>], { type: 'image/png' }));
    setUrl(made);
    return () => URL.revokeObjectURL(made);
  }, [run.id]);
  return <img src={url} width={run.thumbnail.width} height={run.thumbnail.height} alt="" className="history-thumb" />;
}

function when(createdAt: number): string {
  return new Date(createdAt).toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'short' });
}

function facts(run: RunSummary): string {
  const seconds = run.timings.totalMs / 1000;
  const backend = run.timings.backend ? ` on ${run.timings.backend === 'webgpu' ? 'WebGPU' : 'WebAssembly'}` : '';
  return `${run.model} · ${run.picture ? `your picture ${run.picture} · ` : ''}seed ${run.seed} · ${run.steps} steps · ${seconds.toFixed(seconds < 10 ? 1 : 0)} s${backend}`;
}

function Entry({ run }: { run: RunSummary }) {
  const id = run.id!;
  const [source, ...edits] = run.prompts;
  const title = edits.length > 0 ? `${source} → ${edits.join(' / ')}` : (source ?? '');
  return (
    <li className="history-entry" data-testid="history-entry">
      <button type="button" className="history-open" onClick={() => void reopenRun(id)} aria-label={`Open the run “${title}”`}>
        <Thumbnail run={run} />
      </button>
      <div className="history-text">
        <span className="history-title" title={title}>
          {title}
        </span>
        <span className="muted">
          <time dateTime={new Date(run.createdAt).toISOString()}>{when(run.createdAt)}</time> · {facts(run)}
        </span>
        <span className="row history-actions">
          <button type="button" className="link" onClick={() => void reopenRun(id)} aria-label={`Open “${title}”`}>
            Open
          </button>
          <button type="button" className="link" onClick={() => void exportRuns([id])} aria-label={`Export “${title}” as ZIP`}>
            ZIP
          </button>
          <button type="button" className="link danger" onClick={() => void deleteRun(id)} aria-label={`Delete “${title}” from the history`}>
            Delete
          </button>
        </span>
      </div>
    </li>
  );
}

export function HistoryPanel() {
  const { status, runs, reason, notice } = useHistory();
  useEffect(() => {
    void startHistory();
  }, []);
  return (
    <section aria-labelledby="history-heading" className="panel history" data-testid="history">
      <div className="row history-head">
        <h2 id="history-heading">History{status === 'ready' ? ` (${runs.length})` : ''}</h2>
        {runs.length > 0 && (
          <button type="button" onClick={() => void exportRuns('all')}>
            Export all (ZIP)
          </button>
        )}
      </div>
      <div role="status" data-testid="history-notice">
        {notice && (
          <p className="notice-inline">
            {notice}{' '}
            <button type="button" className="link" onClick={dismissHistoryNotice}>
              Dismiss
            </button>
          </p>
        )}
      </div>
      {status === 'off' && <p className="muted">History is off in this browser ({reason}); runs still show and download as usual.</p>}
      {status === 'ready' && runs.length === 0 && <p className="muted">Finished runs are kept here, in this browser only, to reopen, export or delete.</p>}
      {runs.length > 0 && (
        <ol className="history-list" aria-label="Kept runs, newest first">
          {runs.map((run) => (
            <Entry key={run.id} run={run} />
          ))}
        </ol>
      )}
    </section>
  );
}
