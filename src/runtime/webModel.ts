// Loads a diffusers-layout ONNX model folder in the browser — from a base URL or any file reader, resolved by
// src/models/layout.ts (configs, graphs, latent size, free-dimension overrides) —, instruments the UNet for
// Prompt-to-Prompt (a LayoutError when it cannot be, unless the stock UNet was asked for), and opens it on
// WebGPU, else wasm.

import type { Backend, PipelineModel } from '../diffusion';
import { unetCallTimer } from '../diffusion/unetTiming';
import { afterMeasuring, chooseBackend, describeChoice, measureBackends, type BackendChoice, type BackendMeasurement } from '../models/backendChoice';
import { isLayoutError } from '../models/errors';
import { ENCODER, encoderInListing } from '../models/layoutPlan';
import { DEFAULT_SCALING_FACTOR, instrumentDefaults, notInstrumentable, resolveLayout, type GraphLayout, type LayoutReader, type ModelLayout } from '../models/layout';
import { instrumentUnet, type InstrumentOptions, type InstrumentReport } from '../onnx';
import { GraphReadError, namedGraphError, SessionError, type GraphComponent } from './graphErrors';
import { createOrtWebBackend, type ExternalDataFiles, type WebModelBytes } from './ortWebBackend';
import { configureWasm, type WebProvider } from './ortWeb';
import { readTokenizer, urlReader, type ModelFileReader } from './modelReader';
import type { FetchProgress } from './webFetch';
import { probeAdapter } from './webgpu/device';

export { DEFAULT_SCALING_FACTOR };

export interface WebModelOptions {
  /**
   * 'auto': by `chooseBackend` (src/models/backendChoice.ts) — wasm without an adapter or on a software one,
   * else the faster of the two (remembered, or measured now); 'webgpu' / 'wasm': that one or an error.
   */
  provider: 'auto' | WebProvider;
  /** WebAssembly can run this model (not fp16, fits the wasm heap); default true. */
  wasmViable?: boolean;
  /** A measurement remembered by the page for this model (used when taken on this adapter). */
  remembered?: BackendMeasurement;
  onLoading?: FetchProgress;
  signal?: AbortSignal;
  /**
   * Run the stock UNet (no edits possible) when it cannot be instrumented, instead of failing with a
   * `not-instrumentable` LayoutError. Only for a caller the user explicitly told to run without edits.
   */
  allowStockUnet?: boolean;
}

export interface WebModel extends PipelineModel {
  /** The folder URL or the reader's location. */
  location: string;
  /** How the folder was resolved (graphs, latent size, precision, free-dimension overrides). */
  layout: ModelLayout;
  provider: WebProvider;
  /** Which backend runs and why (`describeChoice` makes the sentence). */
  choice: BackendChoice;
  fallbackReason?: string;
  instrumentReport?: InstrumentReport;
  /** Why the UNet could not be instrumented (only with `allowStockUnet`: the stock UNet then runs, no edits). */
  instrumentError?: string;
  dispose(): Promise<void>;
}

/**
 * The reader with each file read once: the layout resolver reads the graphs' metadata and the configs, the
 * loader then takes the same bytes (and drops them from the memo) for the sessions.
 */
function onceReader(reader: ModelFileReader, onLoading: FetchProgress, signal?: AbortSignal): { files: ModelFileReader; layout: LayoutReader; take(path: string): Promise<Uint8Array> } {
  const bytes = new Map<string, Promise<Uint8Array>>();
  const texts = new Map<string, Promise<string | undefined>>();
  const readBytes = (path: string) => {
    let p = bytes.get(path);
    if (!p) bytes.set(path, (p = reader.bytes(path, onLoading, signal)));
    return p;
  };
  const readText = (path: string) => {
    let p = texts.get(path);
    if (!p) texts.set(path, (p = reader.text(path, signal)));
    return p;
  };
  const files: ModelFileReader = { location: reader.location, label: reader.label, bytes: (path) => readBytes(path), text: (path) => readText(path) };
  const layout: LayoutReader = {
    model: reader.label ?? reader.location,
    list: async () => reader.list?.(),
    text: readText,
    bytes: readBytes,
  };
  const take = async (path: string) => {
    const p = readBytes(path);
    bytes.delete(path);
    return p;
  };
  return { files, layout, take };
}

/** Reads external-data files one after another, named relative to `dir` (the graph's folder). */
function externalReader(paths: string[], dir: string, take: (path: string) => Promise<Uint8Array>): (() => Promise<ExternalDataFiles>) | undefined {
  if (paths.length === 0) return undefined;
  return async () => {
    const files: ExternalDataFiles = [];
    for (const path of paths) files.push({ path: path.slice(dir.length), data: await take(path) });
    return files;
  };
}

/** A graph's bytes, the reader of its external-data files (read at session creation) and its free-dimension overrides. */
async function graphBytes(graph: GraphLayout, take: (path: string) => Promise<Uint8Array>): Promise<WebModelBytes> {
  const model = await take(graph.path);
  const dir = graph.path.slice(0, graph.path.lastIndexOf('/') + 1);
  const externalData = externalReader(graph.externalData, dir, take);
  return { model, freeDimensions: graph.freeDimensionOverrides, ...(externalData ? { externalData } : {}) };
}

/** The UNet rewritten for Prompt-to-Prompt, or the reason it could not be. */
function instrumented(unet: WebModelBytes, options: InstrumentOptions): { bytes: WebModelBytes; report?: InstrumentReport; error?: string } {
  try {
    const result = instrumentUnet(unet.model, options);
    // Embedded weights: the original graph's bytes serve as the instrumented graph's external data.
    const embedded = result.externalData;
    const externalData = embedded ? async () => [...((await unet.externalData?.()) ?? []), embedded] : unet.externalData;
    return { bytes: { model: result.model, freeDimensions: unet.freeDimensions, ...(externalData ? { externalData } : {}) }, report: result.report };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    if (/already instrumented/.test(message)) return { bytes: unet };
    return { bytes: unet, error: message };
  }
}

/**
 * vae_encoder/model.onnx when model_index.json names a `vae_encoder` and the file can be read (editing a picture
 * needs it); otherwise none, and the model only generates.
 */
async function optionalEncoder(once: ReturnType<typeof onceReader>, signal?: AbortSignal): Promise<WebModelBytes | undefined> {
  let listed = false;
  try {
    const index = JSON.parse((await once.files.text('model_index.json', signal)) ?? '{}') as { vae_encoder?: unknown };
    listed = Array.isArray(index.vae_encoder) && index.vae_encoder[0] !== null;
  } catch {
    return undefined; // no or unreadable model_index.json: the layout already said what it needs
  }
  if (!listed) return undefined;
  try {
    const listing = (await once.layout.list().catch(() => undefined)) ?? [];
    const paths = (encoderInListing(listing) ?? []).filter((p) => p !== ENCODER.graph && p !== ENCODER.config);
    const externalData = externalReader(paths, 'vae_encoder/', once.take);
    return { model: await once.take(ENCODER.graph), ...(externalData ? { externalData } : {}) };
  } catch (err) {
    if (signal?.aborted) throw err;
    return undefined; // listed but not present (e.g. not downloaded): generation still works
  }
}

/** `source`: the folder's URL (absolute, or a path like `/models/toy-shapes/`), or a reader (e.g. the model cache). */
export async function loadWebModel(source: string | ModelFileReader, opts: WebModelOptions): Promise<WebModel> {
  const reader = typeof source === 'string' ? urlReader(source) : source;
  const label = reader.label ?? reader.location;
  const onLoading = opts.onLoading ?? (() => {});
  const { signal } = opts;
  const once = onceReader(reader, onLoading, signal);

  // 1. The layout (configs, graph metadata, latent size, overrides), then the tokenizer. A graph that does not
  //    parse is a GraphReadError naming file and model (the cache records it as damaged).
  let layout: ModelLayout;
  try {
    layout = await resolveLayout(once.layout);
  } catch (err) {
    if (isLayoutError(err, 'unreadable-graph')) throw new GraphReadError(err.file ?? '', label, err.detail);
    throw err;
  }
  const tokenizer = await readTokenizer(once.files, signal);
  const { schedulerConfig, scalingFactor, latentSize } = layout;

  // 2. Graphs (already read once for the layout: taken from the memo, with byte progress); their external data is
  //    read when each session is created (step 4), so instrumenting holds graphs only.
  const textEncoder = await graphBytes(layout.graphs.text_encoder, once.take);
  const stockUnet = await graphBytes(layout.graphs.unet, once.take);
  const vaeDecoder = await graphBytes(layout.graphs.vae_decoder, once.take);
  const vaeEncoder = await optionalEncoder(once, signal);

  // 3. The instrumented UNet, sized at the resolved latent size, with the model's own settings from p2p.json.
  const unet = instrumented(stockUnet, instrumentDefaults(layout));
  if (unet.error !== undefined && !opts.allowStockUnet) throw notInstrumentable(label, unet.error);
  if (signal?.aborted) throw signal.reason;

  // 4. Sessions on the backend the choice names (measuring both first when it asks to).
  configureWasm();
  const sources = { textEncoder, unet: unet.bytes, vaeDecoder, ...(vaeEncoder ? { vaeEncoder } : {}), latentSize };
  // A graph that does not parse is named (file and model) and not retried on another backend: it would fail the same way.
  const rewritten: GraphComponent[] = unet.report ? ['UNet'] : [];
  const { backend, choice } = await openChosen(sources, opts, label, rewritten, signal);
  const provider = choice.provider;
  const fallbackReason = opts.provider !== 'wasm' && provider === 'wasm' ? describeChoice(choice) : undefined;
  return {
    location: reader.location,
    layout,
    backend,
    tokenizer,
    schedulerConfig,
    scalingFactor,
    provider,
    choice,
    fallbackReason,
    instrumentReport: unet.report,
    instrumentError: unet.error,
    dispose: () => backend.dispose(),
  };
}

type Sources = Omit<Parameters<typeof createOrtWebBackend>[0], 'provider'>;

/** The adapter, the choice, then its sessions: an 'auto' WebGPU that fails falls back to wasm, a forced one throws. */
async function openChosen(sources: Sources, opts: WebModelOptions, label: string, rewritten: GraphComponent[], signal?: AbortSignal): Promise<{ backend: Backend; choice: BackendChoice }> {
  const open = (provider: WebProvider) =>
    createOrtWebBackend({ ...sources, provider }).catch((err: unknown) => {
      throw namedGraphError(err, label, rewritten);
    });
  const probe = opts.provider === 'wasm' ? undefined : await probeAdapter();
  if (probe && 'unavailable' in probe && opts.provider === 'webgpu') throw new Error(`WebGPU is not available here: ${probe.unavailable}`);
  const adapter = probe && 'adapter' in probe ? probe.adapter : undefined;
  const unavailable = probe && 'unavailable' in probe ? probe.unavailable : undefined;
  const choice = chooseBackend({ preference: opts.provider, adapter, unavailable, wasmViable: opts.wasmViable ?? true, remembered: opts.remembered });
  if (choice.provider === 'wasm') return { backend: await open('wasm'), choice };

  let gpu: Backend;
  try {
    gpu = await open('webgpu');
  } catch (err) {
    // Only a session that WebGPU could not create falls back; a file that could not be read (damaged, missing,
    // cancelled) would fail the same way on wasm, and a graph that does not parse is named.
    if (opts.provider === 'webgpu' || !(err instanceof SessionError)) throw err;
    const detail = err instanceof Error ? err.message : String(err);
    return { backend: await open('wasm'), choice: { provider: 'wasm', reason: 'webgpu-failed', adapter, detail } };
  }
  if (choice.reason !== 'measure' || !adapter) return { backend: gpu, choice };
  return measureAndKeep(gpu, sources, adapter, signal);
}

/** Times one UNet call on each backend (see `measureBackends`), keeps the faster one and frees the other. */
async function measureAndKeep(gpu: Backend, sources: Sources, adapter: NonNullable<BackendChoice['adapter']>, signal?: AbortSignal): Promise<{ backend: Backend; choice: BackendChoice }> {
  // Cancel is honoured between every step: before the second set of sessions, and before each timed call.
  if (signal?.aborted) {
    await gpu.dispose();
    throw signal.reason;
  }
  let wasm: Backend | undefined;
  try {
    wasm = await createOrtWebBackend({ ...sources, provider: 'wasm' });
  } catch (err) {
    if (signal?.aborted || !(err instanceof SessionError)) {
      await gpu.dispose();
      throw signal?.aborted ? signal.reason : err; // cancelled, or a file that could not be read again
    }
    // wasm cannot hold this model after all: WebGPU without a measurement.
    return { backend: gpu, choice: { provider: 'webgpu', reason: 'wasm-unfit', adapter, detail: err instanceof Error ? err.message : String(err) } };
  }
  const clock = () => performance.now();
  let failed: 'webgpu' | 'wasm' | undefined;
  const tagged = (which: 'webgpu' | 'wasm', time: () => Promise<number>) => () => {
    if (signal?.aborted) return Promise.reject(signal.reason);
    return time().catch((err: unknown) => {
      failed = which;
      throw err;
    });
  };
  try {
    const timings = await measureBackends(tagged('webgpu', unetCallTimer(gpu, clock)), tagged('wasm', unetCallTimer(wasm, clock)));
    if (signal?.aborted) throw signal.reason;
    const choice = afterMeasuring(adapter, timings);
    const [keep, drop] = choice.provider === 'webgpu' ? [gpu, wasm] : [wasm, gpu];
    await drop.dispose();
    return { backend: keep, choice };
  } catch (err) {
    // A backend whose UNet call fails loses (the other one is kept, the reason reported).
    const detail = `its UNet call failed: ${err instanceof Error ? err.message : String(err)}`;
    if (!signal?.aborted && failed === 'webgpu') {
      await gpu.dispose();
      return { backend: wasm, choice: { provider: 'wasm', reason: 'webgpu-failed', adapter, detail } };
    }
    if (!signal?.aborted && failed === 'wasm') {
      await wasm.dispose();
      return { backend: gpu, choice: { provider: 'webgpu', reason: 'wasm-unfit', adapter, detail } };
    }
    await Promise.all([gpu.dispose(), wasm.dispose()]);
    throw err;
  }
}
