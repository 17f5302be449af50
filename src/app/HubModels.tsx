/**
 * The model picker: the embedded models (the emoji model by default, toy shapes), the registry's Hub models, or any repo id / URL
 * (checked through its model_index.json); size, cache state, precision, requirements and the device verdict.
 */
import { useState } from 'react';
import { formatBytes, KNOWN_MODELS, parseModelRef, type ModelEntry } from '../models';
import { useStudio } from '../state/store';
import { isModelId } from '../state/urlCodec';
import { embeddedModelBytes } from './embeddedModel';
import { downloadModel, redownloadDamaged } from './engineSession';
import { cachedEntry, isEmbedded, FALLBACK_MODEL_ID } from './modelCatalog';
import { checkModel, useModelView } from './useModelView';

/** Each embedded model as the picker names it, and what it draws. */
const EMBEDDED_NAMES: Readonly<Record<string, { name: string; draws: string }>> = {
  'toy-shapes': { name: 'toy model', draws: 'coloured shapes' },
  'toy-emoji': { name: 'emoji model', draws: 'animals, food and things, 64 px' },
};

/** The picker's words for an embedded model, with its shipped size; undefined for the others. */
function embeddedOptionLabel(m: ModelEntry): string | undefined {
  if (!isEmbedded(m.id)) return undefined;
  const { name, draws } = EMBEDDED_NAMES[m.id] ?? { name: 'model', draws: m.id };
  return `Embedded ${name} (${draws}, ${formatBytes(embeddedModelBytes(m.id))})`;
}

function CustomModel() {
  const hubEndpoint = useStudio((s) => s.models.hubEndpoint);
  const [text, setText] = useState('');
  const [state, setState] = useState<{ busy: boolean; error?: string }>({ busy: false });
  const use = async () => {
    const id = text.trim();
    try {
      parseModelRef(id, hubEndpoint);
      if (!isModelId(id)) throw new Error(`"${id}" is neither owner/name nor an http(s) folder URL`);
    } catch (err) {
      return setState({ busy: false, error: err instanceof Error ? err.message : String(err) });
    }
    setState({ busy: true });
    const check = await checkModel(id, hubEndpoint);
    if (check.status === 'error') return setState({ busy: false, error: check.message });
    setState({ busy: false });
    useStudio.getState().setModel(id);
  };
  return (
    <div className="field">
      <label htmlFor="custom-model">Any repo id or URL</label>
      <div className="row">
        <input id="custom-model" value={text} placeholder="owner/name or https://…/folder/" onChange={(e) => setText(e.target.value)} />
        <button type="button" disabled={state.busy || text.trim() === ''} onClick={() => void use()}>
          {state.busy ? 'Checking…' : 'Check and use'}
        </button>
      </div>
      {state.error && (
        <p role="alert" className="error-text" data-testid="custom-model-error">
          {state.error}
        </p>
      )}
    </div>
  );
}

export function HubModels() {
  const model = useStudio((s) => s.recipe.model);
  const hubEndpoint = useStudio((s) => s.models.hubEndpoint);
  const cached = useStudio((s) => s.models.cached);
  const download = useStudio((s) => s.models.download);
  const { facts, check, verdict } = useModelView(model);
  const entry = cachedEntry(model, cached, hubEndpoint);
  const embedded = isEmbedded(model);
  const known = KNOWN_MODELS.some((m) => m.id === model);
  const downloading = download?.status === 'running';
  const damaged = entry?.damaged ?? [];
  const cacheState = embedded
    ? 'embedded in the app: no download'
    : damaged.length > 0
      ? `damaged: ${damaged.map((d) => d.path).join(', ')} failed ${damaged.length === 1 ? 'its' : 'their'} check; download ${damaged.length === 1 ? 'it' : 'them'} again to use the model`
      : entry?.complete
      ? `cached (${formatBytes(entry.bytes)}): loads without the network`
      : entry
        ? `partly downloaded (${formatBytes(entry.bytes + entry.partialBytes)} kept; the download resumes)`
        : 'not cached: downloads on first use';
  return (
    <div data-testid="model-picker">
      <div className="field">
        <label htmlFor="model-select">Model</label>
        <select id="model-select" value={model} onChange={(e) => useStudio.getState().setModel(e.target.value)}>
          {KNOWN_MODELS.map((m) => (
            <option key={m.id} value={m.id}>
              {embeddedOptionLabel(m) ?? m.label}
            </option>
          ))}
          {!known && <option value={model}>{model}</option>}
        </select>
      </div>
      <dl className="facts" data-testid="model-facts">
        <dt>Model</dt>
        <dd>{facts.title}</dd>
        <dt>Size</dt>
        <dd>
          {facts.bytes === undefined ? (check?.status === 'checking' ? 'reading the file list…' : 'unknown') : `${facts.approximate ? 'at least ' : ''}${formatBytes(facts.bytes)}`}
        </dd>
        <dt>In this browser</dt>
        <dd data-testid="model-cache-state">{cacheState}</dd>
        <dt>Precision</dt>
        <dd>{facts.precision}</dd>
        <dt>Needs</dt>
        <dd>{facts.requirements}</dd>
        <dt>This device</dt>
        <dd data-testid="model-verdict" className={verdict?.status === 'blocked' ? 'error-text' : undefined}>
          {verdict ? verdict.message : 'checking…'}
        </dd>
      </dl>
      {check?.status === 'error' && (
        <p role="alert" className="error-text" data-testid="model-check-error">
          {check.message}
        </p>
      )}
      {verdict && verdict.status !== 'ok' && verdict.alternatives.length > 0 && (
        <ul data-testid="model-alternatives">
          {verdict.alternatives.map((a) => (
            <li key={a.kind}>
              {a.message}{' '}
              {a.kind === 'toy-model' && (
                <button type="button" onClick={() => useStudio.getState().setModel(FALLBACK_MODEL_ID)}>
                  Use the emoji model
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      {!embedded && damaged.length > 0 && (
        <button type="button" disabled={downloading} onClick={() => void redownloadDamaged(model)} title="Drop the damaged files and download just them again">
          Re-download damaged files
        </button>
      )}
      {!embedded && damaged.length === 0 && (
        <button
          type="button"
          disabled={downloading || entry?.complete === true || verdict?.status === 'blocked' || check?.status === 'error'}
          onClick={() => void downloadModel(model)}
          title="Download into this browser now; Generate also downloads what is missing"
        >
          {entry?.complete ? 'Downloaded' : entry ? 'Resume download' : 'Download'}
        </button>
      )}
      <CustomModel />
    </div>
  );
}
