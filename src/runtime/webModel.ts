// Loads a diffusers-layout ONNX model folder in the browser — from a base URL or any file reader (tokenizer,
// configs, the three graphs) —, instruments the UNet for Prompt-to-Prompt, and opens it on WebGPU, else wasm.

import type { PipelineModel } from '../diffusion';
import { instrumentUnet, type InstrumentOptions, type InstrumentReport } from '../onnx';
import { GraphReadError, isUnreadableGraph, namedGraphError } from './graphErrors';
import { createOrtWebBackend, type WebModelBytes } from './ortWebBackend';
import { configureWasm, type WebProvider } from './ortWeb';
import { readJson, readTokenizer, urlReader, type ModelFileReader } from './modelReader';
import { externalDataLocations, type FetchProgress } from './webFetch';

export const DEFAULT_SCALING_FACTOR = 0.18215;

export interface WebModelOptions {
  /** 'auto': WebGPU when possible, else wasm with the reason; 'webgpu' / 'wasm': that one or an error. */
  provider: 'auto' | WebProvider;
  onLoading?: FetchProgress;
  signal?: AbortSignal;
}

export interface WebModel extends PipelineModel {
  /** The folder URL or the reader's location. */
  location: string;
  provider: WebProvider;
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

/** Whether this worker can have a WebGPU adapter; the reason when not. */
async function webGpuUnavailable(): Promise<string | null> {
  const gpu = (globalThis.navigator as { gpu?: GPU } | undefined)?.gpu;
  if (!gpu) return 'WebGPU is not available here (navigator.gpu is missing)';
  try {
    const adapter = await gpu.requestAdapter();
    return adapter ? null : 'WebGPU found no adapter (requestAdapter returned null)';
  } catch (err) {
    return `WebGPU requestAdapter failed: ${err instanceof Error ? err.message : String(err)}`;
  }
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

  // 4. Sessions: WebGPU first (when allowed and an adapter exists), else wasm.
  configureWasm();
  const sources = { textEncoder, unet: unet.bytes, vaeDecoder, latentSize };
  let provider: WebProvider = opts.provider === 'wasm' ? 'wasm' : 'webgpu';
  let fallbackReason: string | undefined;
  if (provider === 'webgpu') {
    const unavailable = await webGpuUnavailable();
    if (unavailable && opts.provider === 'webgpu') throw new Error(unavailable);
    if (unavailable) [provider, fallbackReason] = ['wasm', unavailable];
  }
  // A graph that does not parse is named (file and model) and not retried on wasm: it would fail the same way.
  const label = reader.label ?? reader.location;
  let backend;
  try {
    backend = await createOrtWebBackend({ ...sources, provider });
  } catch (err) {
    const named = namedGraphError(err, label);
    if (provider !== 'webgpu' || opts.provider === 'webgpu' || named instanceof GraphReadError) throw named;
    fallbackReason = `WebGPU session creation failed: ${err instanceof Error ? err.message : String(err)}`;
    provider = 'wasm';
    backend = await createOrtWebBackend({ ...sources, provider }).catch((e: unknown) => {
      throw namedGraphError(e, label);
    });
  }
  return {
    location: reader.location,
    backend,
    tokenizer,
    schedulerConfig,
    scalingFactor,
    provider,
    fallbackReason,
    instrumentReport: unet.report,
    instrumentError: unet.error,
    dispose: () => backend.dispose(),
  };
}
