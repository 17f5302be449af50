// Checks a message arriving at the engine before anything acts on it: messages of unknown `type` are
// not ours (onnxruntime's thread workers share the channel) and are ignored; known ones are validated.

import { validMeasurement } from '../src/models/backendChoice';
import { MAX_PROMPT_CHARS } from '../src/state/recipe';
import type { CacheRef, EngineRequest, LoadRequest, ProviderPreference } from './protocol';

const PROVIDERS: readonly ProviderPreference[] = ['auto', 'webgpu', 'wasm'];

export type CheckedRequest =
  | { ok: true; request: EngineRequest }
  /** A request of ours that cannot be acted on; `id` is -1 when it had none. */
  | { ok: false; id: number; message: string }
  /** Not an engine request at all: ignore it. */
  | null;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const NAME = /^[\w.-]+\/[\w.-]+$/;

/** A cache reference from a message, or the reason it is not one. */
export function checkCacheRef(value: unknown): CacheRef | string {
  if (!isRecord(value) || !isRecord(value.source)) return 'cache needs a source object';
  const s = value.source;
  const registryId = value.registryId;
  if (registryId !== undefined && typeof registryId !== 'string') return 'cache.registryId must be a string';
  const extra = registryId === undefined ? {} : { registryId };
  if (s.kind === 'hub') {
    if (typeof s.repo !== 'string' || !NAME.test(s.repo)) return 'cache.source.repo must be owner/name';
    if (typeof s.revision !== 'string' || s.revision === '') return 'cache.source.revision must be a string';
    if (s.endpoint !== undefined && (typeof s.endpoint !== 'string' || !/^https?:\/\//.test(s.endpoint))) return 'cache.source.endpoint must be an http(s) URL';
    const endpoint = s.endpoint === undefined ? {} : { endpoint: s.endpoint };
    return { source: { kind: 'hub', repo: s.repo, revision: s.revision, ...endpoint }, ...extra };
  }
  if (s.kind === 'url') {
    if (typeof s.baseUrl !== 'string' || s.baseUrl === '') return 'cache.source.baseUrl must be a URL';
    const version = typeof s.version === 'string' ? { version: s.version } : {};
    return { source: { kind: 'url', baseUrl: s.baseUrl, ...version }, ...extra };
  }
  return 'cache.source.kind must be hub or url';
}

/** Largest picture side accepted (the engine resizes it to the model's size; this only bounds the bytes sent). */
export const MAX_PICTURE_SIDE = 8192;

/** Why `request.picture` cannot be used, or undefined when it can. */
function pictureProblem(p: unknown): string | undefined {
  if (!isRecord(p)) return 'request.picture must be an object';
  const { width, height, rgba, method } = p;
  const side = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= MAX_PICTURE_SIDE;
  if (!side(width) || !side(height)) return `request.picture width and height must be integers in 1 … ${MAX_PICTURE_SIDE}`;
  if (!(rgba instanceof Uint8ClampedArray) || rgba.length !== (width as number) * (height as number) * 4) return 'request.picture.rgba must be width × height × 4 bytes (Uint8ClampedArray)';
  if (method !== 'negative-prompt' && method !== 'ddim') return 'request.picture.method must be negative-prompt or ddim';
  return undefined;
}

export function checkRequest(data: unknown): CheckedRequest {
  if (!isRecord(data) || typeof data.type !== 'string') return null;
  const type = data.type;
  if (type !== 'load' && type !== 'download' && type !== 'generate' && type !== 'cancel') return null;
  const id = data.id;
  if (typeof id !== 'number' || !Number.isSafeInteger(id)) return { ok: false, id: -1, message: `a ${type} request needs an integer id` };
  const bad = (message: string): CheckedRequest => ({ ok: false, id, message });
  switch (type) {
    case 'cancel':
      return { ok: true, request: { type, id } };
    case 'load': {
      if (typeof data.baseUrl !== 'string' || data.baseUrl === '') return bad('load needs the model folder URL (baseUrl)');
      const provider = data.provider ?? 'auto';
      if (typeof provider !== 'string' || !PROVIDERS.includes(provider as ProviderPreference)) {
        return bad(`provider must be one of ${PROVIDERS.join(', ')}, got ${JSON.stringify(provider)}`);
      }
      const request: LoadRequest = { type, id, baseUrl: data.baseUrl, provider: provider as ProviderPreference };
      if (data.wasmViable !== undefined) {
        if (typeof data.wasmViable !== 'boolean') return bad('wasmViable must be true or false');
        request.wasmViable = data.wasmViable;
      }
      if (data.remembered !== undefined) {
        if (!validMeasurement(data.remembered)) return bad('remembered must be { adapterKey, webgpuMs, wasmMs } with positive times');
        request.remembered = { adapterKey: data.remembered.adapterKey, webgpuMs: data.remembered.webgpuMs, wasmMs: data.remembered.wasmMs };
      }
      if (data.allowStockUnet !== undefined) {
        if (typeof data.allowStockUnet !== 'boolean') return bad('allowStockUnet must be true or false');
        request.allowStockUnet = data.allowStockUnet;
      }
      if (data.cache === undefined) return { ok: true, request };
      const cache = checkCacheRef(data.cache);
      if (typeof cache === 'string') return bad(cache);
      return { ok: true, request: { ...request, cache } };
    }
    case 'download': {
      const cache = checkCacheRef(data.cache);
      return typeof cache === 'string' ? bad(cache) : { ok: true, request: { type, id, cache } };
    }
    case 'generate': {
      const req = data.request;
      if (!isRecord(req)) return bad('generate needs a request object');
      if (!Array.isArray(req.prompts) || !req.prompts.every((p) => typeof p === 'string')) return bad('request.prompts must be a list of strings');
      for (const key of ['seed', 'steps', 'guidance'] as const) {
        if (typeof req[key] !== 'number') return bad(`request.${key} must be a number, got ${JSON.stringify(req[key])}`);
      }
      const negative = req.negativePrompt;
      if (negative !== undefined && typeof negative !== 'string') {
        return bad(`request.negativePrompt must be text, got ${String(JSON.stringify(negative)).slice(0, 40)}`);
      }
      if (typeof negative === 'string' && negative.length > MAX_PROMPT_CHARS) {
        return bad(`request.negativePrompt has ${negative.length} characters; the limit is ${MAX_PROMPT_CHARS}`);
      }
      if (req.baseline !== undefined && typeof req.baseline !== 'boolean') return bad('request.baseline must be true or false');
      if (req.baseline === true && req.edit === undefined) return bad('the baseline compares with an edit: add an edit or drop baseline');
      const every = req.previewEvery;
      if (every !== undefined && (typeof every !== 'number' || !Number.isInteger(every) || every < 0)) {
        return bad('request.previewEvery must be a non-negative integer');
      }
      const attentionEvery = req.attentionEvery;
      if (attentionEvery !== undefined && (typeof attentionEvery !== 'number' || !Number.isInteger(attentionEvery) || attentionEvery < 1)) {
        return bad('request.attentionEvery must be a positive integer (steps)');
      }
      if (req.edit !== undefined && !isRecord(req.edit)) return bad('request.edit must be an object');
      if (req.picture !== undefined) {
        const problem = pictureProblem(req.picture);
        if (problem) return bad(problem);
      }
      // The rest (ranges, words, scheduler names, edit windows) is checked by the pipeline's prepareRun.
      return { ok: true, request: data as unknown as EngineRequest };
    }
    default: {
      const unknown: never = type;
      return bad(`unknown request ${String(unknown)}`);
    }
  }
}
