/**
 * Generate (also Ctrl/Cmd+Enter), progress with UNet calls, speed and time left, Cancel (Escape), and a note when
 * the controls changed since the results were made (nothing runs on its own while idle). While a
 * control holds an invalid value Generate is disabled, and the bar says which controls to fix.
 */
import { selectStale, useStudio } from '../state/store';
import { runIssues } from '../state/validate';
import { loadingText, runningText } from '../state/runProgress';
import { cancel, generate, runWithoutEdits } from './engineSession';
import { RepairCache } from './RepairCache';

export function RunBar() {
  const run = useStudio((s) => s.run);
  const stale = useStudio(selectStale);
  const busy = run.status === 'loading' || run.status === 'running';
  const prompt = useStudio((s) => s.recipe.prompt);
  const edits = useStudio((s) => s.recipe.edits);
  const negativePrompt = useStudio((s) => s.recipe.negativePrompt);
  const invalid = useStudio((s) => s.invalid);
  const loading = useStudio((s) => s.engine.loading);
  const model = useStudio((s) => s.recipe.model);
  const stockUnet = useStudio((s) => s.engine.stockUnet);
  const issues = runIssues({ prompt, edits, negativePrompt }, invalid);
  const blocked = issues.length > 0;
  return (
    <div className="run-bar panel" aria-live="polite">
      <div className="row">
        <button
          type="button" className="primary" onClick={() => void generate()} aria-keyshortcuts="Control+Enter Meta+Enter"
          disabled={blocked} aria-describedby={blocked ? 'run-blocked' : undefined}
        >
          {stale ? 'Generate (settings changed)' : 'Generate'}
        </button>
        <button type="button" onClick={cancel} disabled={!busy} aria-keyshortcuts="Escape">
          Cancel
        </button>
        <span className="muted" data-testid="run-status">
          {run.status === 'loading' && loadingText(loading)}
          {run.status === 'running' && `${run.inverting ? 'Inverting your picture: ' : ''}${runningText(run.call, run.total, run.elapsedMs)}`}
          {run.status === 'done' && (stale ? 'Results are from earlier settings.' : 'Done.')}
          {run.status === 'cancelled' && 'Cancelled.'}
          {run.status === 'idle' && 'Press Generate (Ctrl+Enter).'}
        </span>
      </div>
      {blocked && (
        <div id="run-blocked" className="error-text" data-testid="run-blocked">
          Fix {issues.length === 1 ? 'this' : `these ${issues.length}`} before generating:
          <ul>
            {issues.map((x) => (
              <li key={x.field}>
                {x.label}: {x.message}
              </li>
            ))}
          </ul>
        </div>
      )}
      <progress max={run.total || 1} value={run.status === 'done' ? run.total || 1 : run.call} aria-label="Generation progress" />
      {run.status === 'error' && run.error && !run.error.field && (
        <p role="alert" className="error-text" data-testid="run-error">
          {run.error.message}
          {run.error.code === 'not-instrumented' && (
            <>
              {' '}
              <button type="button" onClick={() => void runWithoutEdits(model)}>
                Run without edits (the stock UNet)
              </button>
            </>
          )}
        </p>
      )}
      {stockUnet?.model === model && (
        <p className="notice-inline" data-testid="stock-unet">
          Edits are off for {model}: its UNet could not be instrumented ({stockUnet.reason}). Each prompt is generated on
          its own with the same seed; the attention maps are not available.
        </p>
      )}
      {run.status === 'error' && run.error?.field && (
        <p role="alert" className="error-text">
          Could not generate: see the message next to the highlighted control.
        </p>
      )}
      <RepairCache />
    </div>
  );
}
