// Loads a diffusers-layout ONNX model folder in the browser — from a base URL or any file reader (tokenizer,
// configs, the three graphs) —, instruments the UNet for Prompt-to-Prompt, and opens it on WebGPU, else wasm.

import type { Backend, PipelineModel } from '../diffusion';
import { unetCallTimer } from '../diffusion/unetTiming';
import { afterMeasuring, chooseBackend, describeChoice, measureBackends, type BackendChoice, type BackendMeasurement } from '../models/backendChoice';
import { instrumentUnet, type InstrumentOptions, type InstrumentReport } from '../onnx';
import { GraphReadError, isUnreadableGraph, namedGraphError, type GraphComponent } from './graphErrors';
import { createOrtWebBackend, type WebModelBytes } from './ortWebBackend';
import { configureWasm, type WebProvider } from './ortWeb';
import { readJson, readTokenizer, urlReader, type ModelFileReader } from './modelReader';
import { externalDataLocations, type FetchProgress } from './webFetch';
import { probeAdapter } from './webgpu/device';

export const DEFAULT_SCALING_FACTOR = 0.18215;

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
}

export interface WebModel extends PipelineModel {
  /** The folder URL or the reader's location. */
  location: string;
  provider: WebProvider;
  /** Which backend runs and why (`describeChoice` makes the sentence). */
  choice: BackendChoice;
  fallbackReason?: string;
  instrumentReport?: InstrumentReport;
  /** Why the UNet could not be instrumented (the stock UNet then runs: no edits). */
  instrumentError?: string;
  dispose(): Promise<void>;
}

const GRAPHS = { textEncoder: 'text_encoder/model.onnx', unet: 'unet/model.onnx', vaeDecoder: 'vae_decoder/model.onnx' } as const;

function sampleSize(config: Record<string, unknown> | undefined): [number, number] | undefined {
  const size = config?.sample_size;
  if (typeof size === 'number') return [size, size];
  if (Array.isArray(size) && size.length === 2 && size.every((s) => typeof s === 'number')) return [size[0] as number, size[1] as number];
  return undefined;
}

/** A graph and the external-data files it names (beside it in the folder); a GraphReadError when it does not parse. */
async function readGraph(reader: ModelFileReader, file: string, onLoading: FetchProgress, signal?: AbortSignal): Promise<WebModelBytes> {
  const model = await reader.bytes(file, onLoading, signal);
  const dir = file.slice(0, file.lastIndexOf('/') + 1);
  const externalData: { path: string; data: Uint8Array }[] = [];
  let locations: string[];
  try {
    locations = externalDataLocations(model);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    if (!isUnreadableGraph(message)) throw err;
    throw new GraphReadError(file, reader.label ?? reader.location, message.replace(/^not an ONNX model: /, ''));
  }
  for (const path of locations) {
    externalData.push({ path, data: await reader.bytes(dir + path, onLoading, signal) });
  }
  return externalData.length > 0 ? { model, externalData } : { model };
}

/** The UNet rewritten for Prompt-to-Prompt, or the stock one with the reason it could not be. */
function instrumented(unet: WebModelBytes, options: InstrumentOptions): { bytes: WebModelBytes; report?: InstrumentReport; error?: string } {
  try {
    const result = instrumentUnet(unet.model, options);
    const externalData = [...(unet.externalData ?? []), ...(result.externalData ? [result.externalData] : [])];
    return { bytes: { model: result.model, externalData: externalData.length > 0 ? externalData : undefined }, report: result.report };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    if (/already instrumented/.test(message)) return { bytes: unet };
    return { bytes: unet, error: message };
  }
}

/** `source`: the folder's URL (absolute, or a path like `/models/toy-shapes/`), or a reader (e.g. the model cache). */
export async function loadWebModel(source: string | ModelFileReader, opts: WebModelOptions): Promise<WebModel> {
  const reader = typeof source === 'string' ? urlReader(source) : source;
  const onLoading = opts.onLoading ?? (() => {});
  const { signal } = opts;

  // 1. Configs and tokenizer (small files).
  const schedulerConfig = (await readJson(reader, 'scheduler/scheduler_config.json', false, signal))!;
  const [vaeConfig, unetConfig, p2p] = await Promise.all(['vae_decoder/config.json', 'unet/config.json', 'p2p.json'].map((f) => readJson(reader, f, true, signal)));
  const tokenizer = await readTokenizer(reader, signal);
  const scalingFactor = typeof vaeConfig?.scaling_factor === 'number' ? vaeConfig.scaling_factor : DEFAULT_SCALING_FACTOR;
  const latentSize = sampleSize(unetConfig);

  // 2. Graphs, with byte progress.
  const textEncoder = await readGraph(reader, GRAPHS.textEncoder, onLoading, signal);
  const stockUnet = await readGraph(reader, GRAPHS.unet, onLoading, signal);
  const vaeDecoder = await readGraph(reader, GRAPHS.vaeDecoder, onLoading, signal);

  // 3. The instrumented UNet, with the model's own settings from p2p.json.
  const options: InstrumentOptions = {};
  if (latentSize) options.latentSize = latentSize;
  if (typeof p2p?.selfMaxQuery === 'number') options.selfMaxQuery = p2p.selfMaxQuery;
  if (typeof p2p?.mapResolution === 'number') options.mapResolution = p2p.mapResolution;
  const unet = instrumented(stockUnet, options);
  if (signal?.aborted) throw signal.reason;

  // 4. Sessions on the backend the choice names (measuring both first when it asks to).
  configureWasm();
  const sources = { textEncoder, unet: unet.bytes, vaeDecoder, latentSize };
  // A graph that does not parse is named (file and model) and not retried on another backend: it would fail the same way.
  const rewritten: GraphComponent[] = unet.report ? ['UNet'] : [];
  const { backend, choice } = await openChosen(sources, opts, reader.label ?? reader.location, rewritten, signal);
  const provider = choice.provider;
  const fallbackReason = opts.provider !== 'wasm' && provider === 'wasm' ? describeChoice(choice) : undefined;
  return {
    location: reader.location,
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
    if (opts.provider === 'webgpu' || err instanceof GraphReadError) throw err;
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
    if (signal?.aborted) {
      await gpu.dispose();
      throw signal.reason;
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
