/**
 * Runs the current recipe on the engine and feeds the store and the results buffers: loads the model
 * (the embedded one from its folder, Hub models through the browser cache), streams progress, previews,
 * attention and images, keeps each finished run in the history, and maps engine errors to the control they
 * concern. One run at a time.
 */
import { EngineClient, EngineError, type Engine } from '../../workers/engineClient';
import { results, type AttentionMaps, type RgbaImage } from '../state/results';
import type { Recipe } from '../state/recipe';
import { runKey, useStudio, type RunError } from '../state/store';
import { toGenerateRequest } from '../state/toRequest';
import { callAt, previewAt } from '../state/timeline';
import { adapterKey, type BackendMeasurement } from '../models/backendChoice';
import { runIssues } from '../state/validate';
import { pageStorage, recallMeasurement, rememberMeasurement } from './backendMemory';
import { probeDevice } from './deviceProbe';
import { errorField } from './errorField';
import { cachedEntry, isEmbedded, modelFacts, verdictFor } from './modelCatalog';
import { offlineModelMessage } from './shellView';
import { recordRun } from './history/historySession';
import { assertCapable, cancelDownloadOnly, downloadOnly, dropDamagedFiles, loadCached, refreshCached, toRunError as downloadError } from './modelDownloads';

let engine: Engine | undefined;
/** Models whose stock UNet the user chose to run (they cannot be instrumented): generated without edits. */
const stockAllowed = new Set<string>();
/** `model@preference` of the loaded model. */
let loaded: string | undefined;
let running: AbortController | undefined;
let nextRun = 1;

export function modelUrl(model: string): string {
  return `${import.meta.env.BASE_URL}models/${model}/`;
}

/** What went wrong in a run, as the studio says it (also for classroom figures). */
export function toRunError(err: unknown, prompts: string[]): RunError {
  if (err instanceof EngineError && err.code === 'bad-input' && /^(this model has no VAE encoder|editing a picture|negative-prompt inversion|the VAE encoder gave)/.test(err.message)) {
    return { code: err.code, message: err.message, field: 'picture' };
  }
  if (err instanceof EngineError) return { code: err.code, message: err.message, field: err.code === 'bad-input' ? errorField(err.message, prompts) : undefined };
  return downloadError(err);
}

function sharedEngine(): Engine {
  engine ??= new EngineClient();
  return engine;
}

/** Loads `model` unless it is loaded; `prompts` (source + edits) sizes the capability check. */
async function ensureModel(model: string, signal: AbortSignal, prompts: number): Promise<void> {
  const client = sharedEngine();
  const store = useStudio.getState();
  const provider = store.engine.preference;
  const key = `${model}@${provider}@${store.models.hubEndpoint ?? ''}@${stockAllowed.has(model) ? 'stock' : ''}`;
  if (loaded === key) return;
  loaded = undefined;
  // The panel must not keep describing the previous model's backend while this one loads (or if it fails).
  store.setEngine({ backend: undefined, fallbackReason: undefined, choice: undefined, loadedModel: undefined, stockUnet: undefined });
  store.setRun({ status: 'loading' });
  if (!isEmbedded(model)) await assertOfflineUsable(model);
  if (!isEmbedded(model)) await assertCapable(model, prompts, provider);
  const onLoading = (e: { file: string; loaded: number; total: number }) => store.setEngine({ loading: { file: e.file, loaded: e.loaded, total: e.total } });
  const automatic = provider === 'auto' ? await automaticInputs(model, prompts) : {};
  const options = { provider, signal, onLoading, ...automatic, ...(stockAllowed.has(model) ? { allowStockUnet: true } : {}) };
  const ready = isEmbedded(model) ? await client.load(modelUrl(model), options) : await loadCached(client, model, options);
  loaded = key;
  const measured = ready.choice?.fresh ? ready.choice.measurement : undefined;
  if (measured) rememberMeasurement(pageStorage(), model, measured);
  store.setEngine({
    backend: ready.backend === 'cpu' ? undefined : ready.backend, fallbackReason: ready.fallbackReason, choice: ready.choice, loadedModel: model, loading: undefined,
    stockUnet: ready.instrumentError !== undefined ? { model, reason: ready.instrumentError } : undefined,
  });
}

/** Offline, a model that is not complete in the cache stops here, before any network use, with a clear message. */
async function assertOfflineUsable(model: string): Promise<void> {
  if (navigator.onLine) return;
  await refreshCached();
  const { cached, hubEndpoint } = useStudio.getState().models;
  const entry = cachedEntry(model, cached, hubEndpoint);
  // Damaged files stop the load on their own, naming them (no network either).
  if (entry?.complete || (entry?.damaged.length ?? 0) > 0) return;
  throw new EngineError('download-failed', offlineModelMessage(modelFacts(model).title), -1);
}

/** What an Automatic load needs from the page: whether wasm can run the model, and the remembered measurement. */
async function automaticInputs(model: string, prompts: number): Promise<{ wasmViable: boolean; remembered?: BackendMeasurement }> {
  const { caps } = await probeDevice();
  const { cached, hubEndpoint } = useStudio.getState().models;
  const onWasm = await verdictFor(modelFacts(model, cachedEntry(model, cached, hubEndpoint)?.bytes).entry, prompts, 'wasm');
  const remembered = caps.adapter ? recallMeasurement(pageStorage(), model, adapterKey(caps.adapter)) : undefined;
  return { wasmViable: onWasm.status !== 'blocked', ...(remembered ? { remembered } : {}) };
}

export async function generate(): Promise<void> {
  // Nothing runs while a control holds an invalid value (the run bar and the controls say which).
  const { recipe: current, invalid } = useStudio.getState();
  if (runIssues(current, invalid).length > 0) return;
  running?.abort();
  const controller = new AbortController();
  running = controller;
  const store = useStudio.getState();
  const recipe = store.recipe;
  const id = nextRun++;
  store.setRun({ id, status: 'loading', call: 0, total: 0, elapsedMs: 0, error: undefined });
  try {
    await ensureModel(recipe.model, controller.signal, 1 + recipe.edits.length);
    const { picture, inversion } = useStudio.getState();
    store.setRun({ status: 'running', recipeKey: runKey({ recipe, picture, inversion }), inverting: !!picture, fromPicture: !!picture });
    results.begin(id);
    // A pinned word's columns belong to the prompts it was pinned on; the new run may have others.
    useStudio.setState({ hoverToken: undefined, pinnedToken: undefined });
    // UNet calls of the main phase, to place attention frames on the scrubber.
    let totalCalls = 0;
    // The stock UNet (chosen by the user for a model that cannot be instrumented) runs each prompt on its own.
    const stock = useStudio.getState().engine.stockUnet?.model === recipe.model;
    const asked = toGenerateRequest(recipe);
    const request = {
      ...(stock ? { ...asked, edit: undefined, baseline: false } : asked),
      ...(picture ? { picture: { rgba: picture.rgba, width: picture.width, height: picture.height, method: inversion } } : {}),
    };
    // What this run will not make must not stay on screen from the previous one (the stock UNet makes no maps).
    if (!request.baseline) results.clearBaseline();
    if (stock) results.clearAttention();
    await sharedEngine().generate(request, {
      signal: controller.signal,
      onProgress: (e) => {
        if (e.phase === 'inversion') return store.setRun({ call: e.call, total: e.total, elapsedMs: e.elapsed, inverting: true });
        if (e.phase !== 'main') return;
        totalCalls = e.total;
        store.setRun({ call: e.call, total: e.total, elapsedMs: e.elapsed, inverting: false });
      },
      onPreview: (e) => !controller.signal.aborted && results.setPreview(e.phase, e.prompt, { label: '', width: e.width, height: e.height, rgba: e.rgba }, previewAt(e.step, recipe.steps)),
      onAttention: (e) =>
        e.phase === 'main' &&
        !controller.signal.aborted &&
        results.setAttention(e.prompt, { resolution: e.resolution, tokens: e.tokens, maps: e.maps, tiles: e.tiles, call: e.call }, callAt(e.call, totalCalls)),
      onImage: (e) => !controller.signal.aborted && results.setImage(e.phase, e.prompt, { label: e.label, width: e.width, height: e.height, rgba: e.rgba }),
    });
    if (running === controller) {
      store.setRun({ status: 'done' });
      const { run, engine: info } = useStudio.getState();
      // Kept in the background: a full or missing storage only shows a notice in the history.
      void recordRun(recipe, results.get(), { totalMs: run.elapsedMs, calls: run.total, ...(info.backend ? { backend: info.backend } : {}) }, picture ? { picture, method: inversion } : undefined);
    }
  } catch (err) {
    if (running !== controller) return; // superseded by a newer run
    const error = toRunError(err, [recipe.prompt, ...recipe.edits]);
    store.setRun(error.code === 'cancelled' ? { status: 'cancelled' } : { status: 'error', error });
    store.setEngine({ loading: undefined });
  }
}

/** One run's final images (by phase and prompt) and the main phase's final attention, outside the studio's results. */
export interface RunOutput {
  images: Record<'main' | 'baseline', (RgbaImage | undefined)[]>;
  attention: (AttentionMaps | undefined)[];
}

/**
 * Runs a recipe that is not the studio's (classroom figures): loads its model as `generate` does, and returns the
 * final images and maps without touching the results on the stage. Cancels a studio run in progress.
 */
export async function runRecipe(recipe: Recipe, signal: AbortSignal, onProgress?: (call: number, total: number) => void): Promise<RunOutput> {
  running?.abort();
  running = undefined;
  const out: RunOutput = { images: { main: [], baseline: [] }, attention: [] };
  const before = useStudio.getState().run.status;
  try {
    await ensureModel(recipe.model, signal, 1 + recipe.edits.length);
  } finally {
    // ensureModel puts the studio's run bar on "loading" and the model panel on the file it reads; the stage
    // still shows what it showed before.
    if (useStudio.getState().run.status === 'loading') useStudio.getState().setRun({ status: before === 'running' || before === 'loading' ? 'cancelled' : before });
    useStudio.getState().setEngine({ loading: undefined });
  }
  await sharedEngine().generate(toGenerateRequest(recipe), {
    signal,
    onProgress: (e) => e.phase === 'main' && onProgress?.(e.call, e.total),
    onAttention: (e) => {
      if (e.phase === 'main') out.attention[e.prompt] = { resolution: e.resolution, tokens: e.tokens, maps: e.maps, tiles: e.tiles, call: e.call };
    },
    onImage: (e) => {
      out.images[e.phase][e.prompt] = { label: e.label, width: e.width, height: e.height, rgba: e.rgba };
    },
  });
  return out;
}

/** The user chose to run a model that cannot be instrumented with its stock UNet: no edits, each prompt on its own. */
export function runWithoutEdits(model: string): Promise<void> {
  stockAllowed.add(model);
  loaded = undefined;
  return generate();
}

export function cancel(): void {
  running?.abort();
}

/** Stops a model download, whether on its own or as the first part of a run's load. */
export function cancelDownload(): void {
  cancelDownloadOnly();
  if (useStudio.getState().run.status === 'loading') running?.abort();
}

/** The picker's Download button: into the cache, without loading. */
export function downloadModel(model: string): Promise<void> {
  return downloadOnly(sharedEngine(), model);
}

/**
 * "Re-download" for a model with damaged cached files (the user agreed): drops them, then downloads them
 * again — as part of a new run when the last run failed on them, else on its own.
 */
export async function redownloadDamaged(model: string): Promise<void> {
  await dropDamagedFiles(model);
  loaded = undefined;
  const { run, recipe, invalid } = useStudio.getState();
  // A run only when one can start: with an invalid control, generate() would return at once and the files,
  // already dropped, would never come back. Then they are downloaded on their own.
  if (run.status === 'error' && recipe.model === model && runIssues(recipe, invalid).length === 0) return generate();
  return downloadModel(model);
}

/**
 * A share link: the embedded model generates at once, and so does a Hub model already complete in the
 * cache; otherwise the user is asked first (a download of up to gigabytes is never started by a link).
 */
export async function openSharedLink(): Promise<void> {
  const { recipe, models } = useStudio.getState();
  if (isEmbedded(recipe.model)) return generate();
  await refreshCached();
  const entry = cachedEntry(recipe.model, useStudio.getState().models.cached, models.hubEndpoint);
  // A cached model with damaged files is not "not in this browser yet": the run stops at once with the
  // files named and the Re-download prompt (nothing downloads before the user agrees there).
  if (entry?.complete || (entry?.damaged.length ?? 0) > 0) return generate();
  useStudio.getState().setModels({ confirm: recipe.model });
}
