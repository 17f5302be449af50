/**
 * A share link naming a Hub model that is not in this browser yet: ask before downloading (it can be
 * gigabytes), or switch to the embedded emoji model, which runs at once. Offline, it says that the model cannot be
 * downloaded now and keeps the question open (the link's recipe stays) until the browser is back online.
 */
import { formatBytes } from '../models';
import { useStudio } from '../state/store';
import { useAppShell } from './appShell';
import { generate } from './engineSession';
import { FALLBACK_MODEL_ID } from './modelCatalog';
import { offlineModelMessage } from './shellView';
import { useModelView } from './useModelView';

export function ConfirmDownload() {
  const model = useStudio((s) => s.models.confirm);
  return model ? <Confirm model={model} /> : null;
}

function Confirm({ model }: { model: string }) {
  const { facts, check, verdict } = useModelView(model);
  const online = useAppShell((s) => s.online);
  const { setModels } = useStudio.getState();
  const size = facts.bytes === undefined ? 'size unknown yet' : `${facts.approximate ? 'at least ' : ''}${formatBytes(facts.bytes)}`;
  return (
    <div role="alertdialog" aria-labelledby="confirm-title" aria-describedby="confirm-text" className="notice" data-testid="confirm-download">
      <h2 id="confirm-title">Download {facts.title}?</h2>
      <p id="confirm-text">
        This link uses a model that is not in this browser yet: {size}, precision {facts.precision}. It is downloaded once and
        kept for next time. {verdict ? `This device: ${verdict.message}` : ''}
      </p>
      {!online && (
        <p role="alert" className="error-text" data-testid="offline-model">
          {offlineModelMessage(facts.title)}
        </p>
      )}
      {check?.status === 'error' && (
        <p role="alert" className="error-text">
          {check.message}
        </p>
      )}
      <div className="row">
        <button
          type="button"
          className="primary"
          disabled={!online || verdict?.status === 'blocked'}
          onClick={() => {
            setModels({ confirm: undefined });
            void generate();
          }}
        >
          Download and generate
        </button>
        <button
          type="button"
          onClick={() => {
            setModels({ confirm: undefined });
            useStudio.getState().setModel(FALLBACK_MODEL_ID);
            void generate();
          }}
        >
          Use the emoji model instead
        </button>
        <button type="button" onClick={() => setModels({ confirm: undefined })}>
          Not now
        </button>
      </div>
    </div>
  );
}
