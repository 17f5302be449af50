/**
 * The model and where it runs: the picker (toy model, Hub models, any repo), downloads and the cache,
 * the backend in use (WebGPU or wasm, and why), load progress, what this browser's GPU offers, and whether wasm
 * has threads, and whether the app works offline.
 */
import { describeChoice } from '../models/backendChoice';
import { useStudio, type ProviderChoice } from '../state/store';
import { CachedModels } from './CachedModels';
import { Section } from './controls/Section';
import { isEmbedded } from './modelCatalog';
import { DownloadProgress } from './DownloadProgress';
import { HubModels } from './HubModels';
import { IsolationNotice } from './IsolationNotice';
import { OfflineStatus } from './OfflineStatus';
import { SystemCheck } from './SystemCheck';

export function ModelPanel() {
  const engine = useStudio((s) => s.engine);
  const { setEngine } = useStudio.getState();
  const model = useStudio((s) => s.recipe.model);
  const download = useStudio((s) => s.models.download?.status);
  const where = engine.backend ? (engine.backend === 'webgpu' ? 'WebGPU' : 'WebAssembly') : engine.preference === 'auto' ? 'automatic' : engine.preference;
  return (
    <section aria-labelledby="model-heading" className="panel model-panel">
      <h2 id="model-heading" className="visually-hidden">Model and engine</h2>
      <Section
        id="model" title="Model and engine" testId="model-section" summary={`${model} · ${where}`}
        attention={!isEmbedded(model) || download === 'running' || download === 'error'}
      >
        <HubModels />
        <DownloadProgress />
        {engine.loading && (
          <p>
            Loading {engine.loading.file}: {(engine.loading.loaded / 2 ** 20).toFixed(1)}
            {engine.loading.total ? ` of ${(engine.loading.total / 2 ** 20).toFixed(1)}` : ''} MiB
          </p>
        )}
        {engine.backend && (
          <p data-testid="backend" data-backend={engine.backend}>
            {engine.choice
              ? describeChoice(engine.choice)
              : `Runs on ${engine.backend === 'webgpu' ? 'WebGPU' : 'WebAssembly'}${engine.fallbackReason ? ` (WebGPU not used: ${engine.fallbackReason})` : ''}.`}
          </p>
        )}
        <label className="inline" title="Where the model runs. Automatic: WebAssembly without a GPU or on a software one (SwiftShader); on a real GPU, whichever of the two the first load measures faster.">
          Run on{' '}
          <select value={engine.preference} onChange={(e) => setEngine({ preference: e.target.value as ProviderChoice })}>
            <option value="auto">Automatic (the faster one here)</option>
            <option value="webgpu">WebGPU</option>
            <option value="wasm">WebAssembly (CPU)</option>
          </select>
        </label>
        <SystemCheck />
        <OfflineStatus />
        <CachedModels />
      </Section>
      {/* Outside the collapsed section: a slower engine is worth knowing before opening it. */}
      <IsolationNotice />
    </section>
  );
}
