// Turns whatever a load or a run threw into the protocol's `{ code, message }`: pipeline errors keep
// their code, cancellation is `cancelled`, allocation failures `out-of-memory`, the rest by stage.

import { AbortError, PipelineError } from '../src/diffusion';
import { isLayoutError, ModelError, type ModelErrorCode } from '../src/models/errors';
import type { EngineErrorCode } from './protocol';

/** The protocol code of each model-layer (download/cache) error. */
const MODEL_CODES: Record<ModelErrorCode, EngineErrorCode> = {
  'not-found': 'not-found',
  server: 'download-failed',
  http: 'download-failed',
  network: 'download-failed',
  length: 'download-failed',
  integrity: 'download-failed',
  aborted: 'cancelled',
  quota: 'quota',
  'invalid-model': 'invalid-model',
  capability: 'capability',
  damaged: 'damaged',
};

export interface EngineErrorInfo {
  code: EngineErrorCode;
  message: string;
  file?: string;
  status?: number;
  detail?: string;
}

/** Messages of allocation failures from wasm (std::bad_alloc, heap growth), WebGPU and ORT. */
const OUT_OF_MEMORY = /out of memory|\boom\b|bad_alloc|cannot allocate|allocation failed|failed to allocate|Array buffer allocation|exceeds the max buffer size/i;

/** An error the handler raises itself with a protocol code (e.g. a malformed request). */
export class EngineFailure extends Error {
  constructor(
    readonly code: EngineErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'EngineFailure';
  }
}

export function isAbort(err: unknown): boolean {
  return err instanceof AbortError || (err instanceof Error && err.name === 'AbortError');
}

export function toEngineError(err: unknown, stage: 'load' | 'download' | 'generate'): EngineErrorInfo {
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof EngineFailure) return { code: err.code, message };
  // A UNet the edit cannot go into: the page then offers the stock UNet, without edits, if the user wants it.
  if (isLayoutError(err, 'not-instrumentable')) return { code: 'not-instrumented', message, file: 'unet/model.onnx', detail: err.pattern };
  if (err instanceof ModelError) {
    const info: EngineErrorInfo = { code: MODEL_CODES[err.code], message, detail: err.code };
    if (err.file !== undefined) info.file = err.file;
    if (err.status !== undefined) info.status = err.status;
    return info;
  }
  if (isAbort(err)) return { code: 'cancelled', message: message || 'cancelled' };
  if (err instanceof PipelineError) {
    switch (err.code) {
      case 'bad-input':
        return { code: 'bad-input', message };
      case 'not-instrumented':
        return { code: 'not-instrumented', message };
      case 'backend':
        return { code: 'internal', message };
      default: {
        const unknown: never = err.code;
        return { code: 'internal', message: `${String(unknown)}: ${message}` };
      }
    }
  }
  if (OUT_OF_MEMORY.test(message)) return { code: 'out-of-memory', message };
  return { code: stage === 'generate' ? 'internal' : 'load-failed', message };
}
