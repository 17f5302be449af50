/**
 * The models the picker offers and where their files come from: the embedded models (served by the app),
 * the registry's Hub models, any repo id or URL; sizes, cache state and the device verdict.
 */
import { EngineError } from '../../workers/engineClient';
import type { CacheRef } from '../../workers/protocol';
import {
  CacheStorageModelStore,
  checkCapabilities,
  deleteCachedModel,
  downloadBytes,
  fileUrl,
  findModel,
  isEmbeddedModel,
  listCachedModels,
  parseModelRef,
  resolveModel,
  sourceKey,
  SD15_FP16_EXTERNAL,
  TOY_EMOJI_MODEL,
  TOY_MODEL,
  type CachedModel,
  type ModelEntry,
  type ModelStore,
  type Verdict,
} from '../models';
import { adapterKey } from '../models/backendChoice';
import { connectRefusal } from '../models/connectPolicy';
import { pageStorage, recallMeasurement } from './backendMemory';
import { probeDevice } from './deviceProbe';
import { embeddedModelBytes } from './embeddedModel';

/**
 * The embedded model offered where a model cannot run on a device or is not downloaded: the default, which runs
 * on any device and draws the notebook's nouns (Stable Diffusion prompts such as "a cat riding a bicycle").
 */
export const FALLBACK_MODEL_ID = TOY_EMOJI_MODEL.id;

/** Embedded models load from the app's own folder; every other model goes through the browser cache. */
export const isEmbedded: (model: string) => boolean = isEmbeddedModel;

/** The cache reference of a non-embedded model: a registry entry, an `owner/name` repo id, or a folder URL. */
export function cacheRefFor(model: string, hubEndpoint?: string): CacheRef {
  const entry = findModel(model);
  if (entry && entry.source.kind === 'hub') {
    return { source: hubEndpoint ? { ...entry.source, endpoint: hubEndpoint } : entry.source, registryId: entry.id };
  }
  return { source: parseModelRef(model, hubEndpoint) };
}

/** A label for the model's location (`ready.model.baseUrl`): the folder its files resolve under. */
export function locationOf(ref: CacheRef): string {
  return fileUrl(ref.source, '');
}

let store: ModelStore | undefined;
/** The page's view of the same Cache Storage the engine worker writes to. */
export function modelStore(): ModelStore {
  store ??= new CacheStorageModelStore();
  return store;
}

export async function listCached(): Promise<CachedModel[]> {
  return listCachedModels(modelStore());
}

export async function deleteCached(key: string): Promise<number> {
  return deleteCachedModel(modelStore(), key);
}

/** The cache entry of a model (undefined: nothing cached, not even a partial). */
export function cachedEntry(model: string, cached: readonly CachedModel[], hubEndpoint?: string): CachedModel | undefined {
  if (isEmbedded(model)) return undefined;
  try {
    const key = sourceKey(cacheRefFor(model, hubEndpoint).source);
    return cached.find((c) => c.model === key);
  } catch {
    return undefined;
  }
}

/** What the picker says about a model; `bytes` undefined until known (any repo: after checking it). */
export interface ModelFacts {
  title: string;
  precision: string;
  bytes?: number;
  /** True when `bytes` is a sum of known sizes only (some sizes come from the Hub at download time). */
  approximate: boolean;
  requirements: string;
  entry: ModelEntry;
}

function requirementsText(entry: ModelEntry): string {
  if (isEmbedded(entry.id)) return 'runs anywhere (WebGPU or WebAssembly)';
  const r = entry.requirements;
  return r.shaderF16 ? 'WebGPU with fp16 shaders (shader-f16); several GB of GPU memory' : 'WebGPU, or WebAssembly when small enough';
}

/**
 * A registry-like entry for any repo / URL, sized from its file list. Precision is not in model_index.json,
 * so it is guessed from the size: under 200 MB a toy-scale fp32 model, else an SD 1.x fp16 export (estimate).
 */
/**
 * Below this total a Hub repo is taken for an fp16 SD-size export, above it for fp32: SD 1.5's UNet, text encoder
 * and VAE decoder hold about 1.03 G parameters (2.1–2.6 GB in fp16 with an fp32 text encoder or VAE, 4.1 GB and up
 * in fp32; LDM text2im's 1.4 G parameters are 5.9 GB in fp32). The graphs' element types settle it once downloaded.
 */
export const FP16_MAX_BYTES = 3.2e9;
/** Repos under this size are taken for toy-sized fp32 models. */
const SMALL_MAX_BYTES = 200e6;

/** A registry-shaped entry for any repo, its precision and needs estimated from its total size (`bytes`). */
export function customEntry(model: string, bytes: number): ModelEntry {
  const small = bytes < SMALL_MAX_BYTES;
  const fp16 = !small && bytes < FP16_MAX_BYTES;
  const like = small ? TOY_MODEL : SD15_FP16_EXTERNAL;
  const requirements = small
    ? { ...like.requirements, weightBytes: bytes }
    : fp16
      ? like.requirements
      : { ...like.requirements, shaderF16: false, largestWeightBytes: like.requirements.largestWeightBytes * 2, weightBytes: bytes };
  return {
    ...like,
    id: model,
    label: model,
    source: parseModelRef(model),
    files: [],
    precision: small || !fp16 ? 'fp32' : 'fp16',
    requirements,
    provenance: 'any repo or URL: checked through its model_index.json and file list',
  };
}

export function modelFacts(model: string, customBytes?: number): ModelFacts {
  const entry = findModel(model);
  if (entry) {
    const size = isEmbedded(model) ? { bytes: embeddedModelBytes(model), complete: true } : downloadBytes(entry.files);
    return {
      title: entry.label,
      precision: entry.precision,
      bytes: size.bytes,
      approximate: !size.complete,
      requirements: requirementsText(entry),
      entry,
    };
  }
  const custom = customEntry(model, customBytes ?? 0);
  return {
    title: model,
    precision: customBytes === undefined ? 'as exported' : `as exported (${custom.precision} assumed from the size)`,
    bytes: customBytes,
    approximate: false,
    requirements: customBytes === undefined ? 'checked when its file list is read' : requirementsText(custom),
    entry: custom,
  };
}

/** The built site's CSP connect-src (vite.config.ts); null on the dev server, which sends no policy. */
declare const __P2P_CONNECT_SRC__: readonly string[] | null;

/** Refuses, with the reason and the fix, a model location this site's CSP would block (before any fetch). */
export function assertReachable(ref: CacheRef): void {
  const refusal = connectRefusal(locationOf(ref), __P2P_CONNECT_SRC__ ?? undefined, window.location.origin);
  if (refusal) throw new EngineError('download-failed', `cannot download ${locationOf(ref)}: ${refusal}`, -1);
}

/** Reads a repo's model_index.json and file list (no model files): the files and their total size. */
export async function checkRepo(model: string, hubEndpoint?: string, signal?: AbortSignal): Promise<{ files: number; bytes: number; sized: boolean }> {
  const ref = cacheRefFor(model, hubEndpoint);
  assertReachable(ref);
  const { files } = await resolveModel(ref.source, { store: modelStore(), signal });
  const { bytes, complete } = downloadBytes(files);
  return { files: files.length, bytes, sized: complete };
}

/**
 * The device verdict for a model and a plan: the probe worker's adapter facts (the same the system check
 * shows), the "Run on" setting and, for Automatic, the measurement remembered for this model.
 */
export async function verdictFor(entry: ModelEntry, prompts: number, preference: 'auto' | 'webgpu' | 'wasm'): Promise<Verdict> {
  const { caps } = await probeDevice();
  const remembered = caps.adapter ? recallMeasurement(pageStorage(), entry.id, adapterKey(caps.adapter)) : undefined;
  return checkCapabilities(entry, caps, { prompts, lowMemory: false }, { preference, remembered });
}
