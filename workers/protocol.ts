// The engine worker's message protocol: requests (page → worker) and events (worker → page) as
// hand-written discriminated unions on `type`, every message carrying the run `id` it belongs to.

import type { GenerateRequest, InversionMethod, StageTimings } from '../src/diffusion';
import type { ModelSource, OverallProgress } from '../src/models';
import type { BackendChoice, BackendMeasurement } from '../src/models/backendChoice';

// ── Requests ────────────────────────────────────────────────────────────────────────────────────

/** 'auto' = wasm without an adapter or on a software one, else the measured faster one (src/models/backendChoice.ts). */
export type ProviderPreference = 'auto' | 'webgpu' | 'wasm';

/** A model kept in the browser cache (src/models): downloaded when missing, then read from the cache. */
export interface CacheRef {
  /** A Hub repo at a revision (optionally on another endpoint, e.g. the mock Hub), or a web folder. */
  source: ModelSource;
  /** A registry id (`sd15-fp16-external`): its pinned file list, sizes and sha256 are used. */
  registryId?: string;
}

export interface LoadRequest {
  type: 'load';
  id: number;
  /**
   * Folder URL of a diffusers-layout ONNX model (`…/models/toy-shapes/`), absolute or page-relative.
   * Without `cache` the files are fetched from it; with `cache` it only names the model in `ready`.
   */
  baseUrl: string;
  provider: ProviderPreference;
  /** Load through the browser cache: `download` events while files are missing, then the graphs from the cache. */
  cache?: CacheRef;
  /** 'auto' only: WebAssembly can run this model (the page's memory verdict); default true. */
  wasmViable?: boolean;
  /** 'auto' only: the measurement the page remembers for this model (the worker has no localStorage). */
  remembered?: BackendMeasurement;
  /** The user chose to run this model's stock UNet when it cannot be instrumented (no edits; `ready.instrumentError` says why). */
  allowStockUnet?: boolean;
}

/** Downloads a model into the browser cache without loading it (answer: `download`…, `downloaded` or `error`). */
export interface DownloadRequest {
  type: 'download';
  id: number;
  cache: CacheRef;
}

/**
 * The pipeline request (prompts, edit kind, cross/self windows incl. per word, LocalBlend words and
 * threshold, seed, steps, guidance, scheduler, lowMemory) plus what only the engine does.
 */
/** A picture to edit instead of generating the source (its RGBA bytes, any size: the engine crops and resizes). */
export interface PictureRequest {
  rgba: Uint8ClampedArray;
  width: number;
  height: number;
  /** 'negative-prompt' (the source prompt as negative prompt while editing) or 'ddim' (plain inversion). */
  method: InversionMethod;
}

export interface EngineGenerateRequest extends Omit<GenerateRequest, 'initialLatent'> {
  /** Edit this picture: DDIM-inverted with the source prompt, then the edit runs from it (prompt 0 = reconstruction). */
  picture?: PictureRequest;
  /** Also run the "no controller" baseline (same seed, plain batch) after the edit. */
  baseline?: boolean;
  /** A preview every this many scheduler steps (default: about ten per run; 0 = none). */
  previewEvery?: number;
  /**
   * Attention maps and heatmaps every this many scheduler steps (on WebGPU they are read back from the GPU only
   * then); default: with the previews where the latents stay on the GPU, else at most one update per 250 ms.
   * The final maps are always sent.
   */
  attentionEvery?: number;
}

/** GPU→CPU reads around one scheduler step of the main phase (e2e builds only, see workers/gpuReadCounter.ts). */
export interface StepGpuReads {
  step: number;
  /** Reads from the end of the previous step's callbacks to this step's (step 0: since the phase began, text encoder included). */
  compute: number;
  /** Reads by this step's preview and attention updates. */
  callbacks: number;
  preview: boolean;
  attention: boolean;
}

export interface GenerateRunRequest {
  type: 'generate';
  id: number;
  request: EngineGenerateRequest;
}

/** Cancels the run `id` (a load or a generate); unknown or finished ids are ignored. */
export interface CancelRequest {
  type: 'cancel';
  id: number;
}

export type EngineRequest = LoadRequest | DownloadRequest | GenerateRunRequest | CancelRequest;

// ── Events ──────────────────────────────────────────────────────────────────────────────────────

/** Bytes of one model file read so far (`total` 0 when the server sends no length). */
export interface LoadingMessage {
  type: 'loading';
  id: number;
  file: string;
  loaded: number;
  total: number;
}

/** Download progress of a cached load or a download: overall and per file (bytes, rate, time left); throttled. */
export interface DownloadMessage {
  type: 'download';
  id: number;
  progress: OverallProgress;
}

/** A `download` request finished: every file is verified and stored. */
export interface DownloadedMessage {
  type: 'downloaded';
  id: number;
  /** The cache namespace (`hub:<repo>@<rev>`), as listCachedModels reports it. */
  key: string;
  files: number;
  bytes: number;
}

/** 'cpu' is onnxruntime-node (the in-thread engine of the CLI and the tests). */
export type BackendKind = 'webgpu' | 'wasm' | 'cpu';

/** What the UNet instrumentation found (the full report stays in the worker). */
export interface InstrumentSummary {
  crossLayers: number;
  selfLayers: number;
  editedLayers: number;
  mapLayers: number;
  mapResolution: number;
  selfMaxQuery: number;
  floatType: 'float32' | 'float16';
}

export interface ModelInfo {
  baseUrl: string;
  /** The backend's own words ("onnxruntime-web webgpu, instrumented UNet"). */
  description: string;
  instrumented: boolean;
  latentChannels: number;
  latentSize: [number, number] | null;
  /** Decoded image `[height, width]`, when the load-time preview fit decoded once; else null. */
  imageSize: [number, number] | null;
  mapResolution: number | null;
  scalingFactor: number;
  /** The model's scheduler_config `_class_name` ("PNDMScheduler"), or null. */
  schedulerClass: string | null;
  /** It has a VAE encoder, so it can edit a picture (`request.picture`). */
  takesPictures: boolean;
}

export interface ReadyMessage {
  type: 'ready';
  id: number;
  backend: BackendKind;
  /** Why WebGPU was not used, when it was preferred ('auto' or 'webgpu') and wasm runs instead. */
  fallbackReason?: string;
  /** Which backend runs and why (web engine); `choice.fresh` with a measurement: the page should remember it. */
  choice?: BackendChoice;
  report?: InstrumentSummary;
  /** Why the UNet could not be instrumented (edits then answer `not-instrumented`; plain runs work). */
  instrumentError?: string;
  model: ModelInfo;
  loadMs: number;
}

/** `phase` tells the edit (or plain) run from the baseline run that may follow it. */
export type RunPhase = 'main' | 'baseline';
/** Progress also comes from the inversion of a picture, before the main phase. */
export type ProgressPhase = RunPhase | 'inversion';

export interface ProgressMessage {
  type: 'progress';
  id: number;
  phase: ProgressPhase;
  /** UNet calls done (1-based) out of `total`; `elapsed` ms since the phase started. */
  call: number;
  total: number;
  elapsed: number;
}

/**
 * Post-edit cross-attention of one prompt, head-mean, summed over the layers at resolution R and
 * over the calls so far: `maps` is `[R·R, 77]` row-major; `tokens` labels columns 0 … tokens.length − 1
 * (BOS, the words' tokens, EOS). Throttled to a few per second; the last one follows the last call.
 */
export interface AttentionMessage {
  type: 'attention';
  id: number;
  phase: RunPhase;
  prompt: number;
  call: number;
  resolution: number;
  tokens: string[];
  maps: Float32Array;
  /**
   * One greyscale `R·R` tile per entry of `tokens`, scaled to its maximum (the reference
   * `show_cross_attention`): made by the WGSL heatmap kernel on WebGPU, by its CPU twin otherwise.
   */
  tiles: Uint8ClampedArray[];
}

/** A cheap RGB look at the current latents of one prompt (latent resolution, see docs/engine.md). */
export interface PreviewMessage {
  type: 'preview';
  id: number;
  phase: RunPhase;
  prompt: number;
  step: number;
  width: number;
  height: number;
  rgba: Uint8ClampedArray;
}

export interface ImageMessage {
  type: 'image';
  id: number;
  phase: RunPhase;
  prompt: number;
  /** "source", "edit 1", … for an edit; "prompt 0" for plain/baseline images. */
  label: string;
  width: number;
  height: number;
  /** Opaque RGBA, `height × width × 4` (the reference `latent2image`); its buffer is transferred. */
  rgba: Uint8ClampedArray;
}

export interface DoneMessage {
  type: 'done';
  id: number;
  timings: StageTimings;
  baselineTimings?: StageTimings;
  /** E.g. prompts truncated to 77 tokens. */
  warnings: string[];
  /** The main run kept its latents on the GPU between steps (WebGPU resident loop). */
  latentsOnDevice: boolean;
  /** Per-step GPU reads of the main phase, in e2e builds (the counter is not in production builds). */
  gpuReads?: StepGpuReads[];
}

/**
 * The model-layer codes (src/models ModelError): `not-found` (HTTP 404), `download-failed` (5xx, network,
 * wrong length or sha256, other HTTP statuses), `quota`, `invalid-model` (not the ONNX layout), `capability`,
 * `damaged` (a cached file failed its check when loaded or could not be read as a model: `file` names it,
 * and it downloads again once the user agrees).
 */
export type EngineErrorCode =
  | 'bad-input'
  | 'not-instrumented'
  | 'load-failed'
  | 'out-of-memory'
  | 'cancelled'
  | 'internal'
  | 'not-found'
  | 'download-failed'
  | 'quota'
  | 'invalid-model'
  | 'capability'
  | 'damaged';

export interface ErrorMessage {
  type: 'error';
  id: number;
  code: EngineErrorCode;
  message: string;
  /** The model file the error is about (download errors). */
  file?: string;
  /** The HTTP status (download errors). */
  status?: number;
  /** The ModelError code behind a download error (`server`, `network`, `length`, `integrity`, `http`, …). */
  detail?: string;
}

export type EngineEvent =
  | DownloadMessage
  | DownloadedMessage
  | LoadingMessage
  | ReadyMessage
  | ProgressMessage
  | AttentionMessage
  | PreviewMessage
  | ImageMessage
  | DoneMessage
  | ErrorMessage;

/** The buffers an event hands over (transferred, never copied). */
export function transferablesOf(event: EngineEvent): ArrayBuffer[] {
  switch (event.type) {
    case 'attention':
      return [event.maps.buffer as ArrayBuffer, ...event.tiles.map((t) => t.buffer as ArrayBuffer)];
    case 'preview':
    case 'image':
      return [event.rgba.buffer as ArrayBuffer];
    case 'download':
    case 'downloaded':
    case 'loading':
    case 'ready':
    case 'progress':
    case 'done':
    case 'error':
      return [];
    default: {
      const unknown: never = event;
      throw new Error(`unknown engine event ${JSON.stringify(unknown)}`);
    }
  }
}

export const ENGINE_ERROR_CODES: readonly EngineErrorCode[] = [
  'bad-input',
  'not-instrumented',
  'load-failed',
  'out-of-memory',
  'cancelled',
  'internal',
  'not-found',
  'download-failed',
  'quota',
  'invalid-model',
  'capability',
  'damaged',
];
