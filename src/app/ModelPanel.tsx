/**
 * The model and where it runs: the embedded toy model, the backend in use (WebGPU or wasm, and why),
 * download/load progress, and what this browser's GPU offers.
 */
import { useStudio, type ProviderChoice } from '../state/store';
import { SystemCheck } from './SystemCheck';

const MODELS: Record<string, { title: string; detail: string }> = {
  'toy-shapes': { title: 'Embedded toy model (coloured shapes)', detail: 'Trained by our own tool; about 8 MB, 32×32 images, runs anywhere in seconds.' },
};

export function ModelPanel() {
  const model = useStudio((s) => s.recipe.model);
  const engine = useStudio((s) => s.engine);
  const { setEngine } = useStudio.getState();
  const info = MODELS[model] ?? { title: model, detail: 'A Stable Diffusion ONNX export from the Hugging Face Hub.' };
  return (
    <section aria-labelledby="model-heading" className="panel">
      <h2 id="model-heading">Model and engine</h2>
      <p>
        <strong>{info.title}</strong> — {info.detail}
      </p>
      {engine.loading && (
        <p>
          Loading {engine.loading.file}: {(engine.loading.loaded / 2 ** 20).toFixed(1)}
          {engine.loading.total ? ` of ${(engine.loading.total / 2 ** 20).toFixed(1)}` : ''} MiB
        </p>
      )}
      {engine.backend && (
        <p data-testid="backend">
          Running on {engine.backend === 'webgpu' ? 'WebGPU' : 'WebAssembly'}
          {engine.fallbackReason ? ` (WebGPU not used: ${engine.fallbackReason})` : ''}.
        </p>
      )}
      <label className="inline" title="Where the model runs: WebGPU is faster on a real GPU; WebAssembly works everywhere.">
        Run on{' '}
        <select value={engine.preference} onChange={(e) => setEngine({ preference: e.target.value as ProviderChoice })}>
          <option value="auto">automatic (WebGPU if it works)</option>
          <option value="webgpu">WebGPU</option>
          <option value="wasm">WebAssembly (CPU)</option>
        </select>
      </label>
      <SystemCheck />
    </section>
  );
}
