// Turns whatever a load or a run threw into the protocol's `{ code, message }`: pipeline errors keep
// their code, cancellation is `cancelled`, allocation failures `out-of-memory`, the rest by stage.

import { AbortError, PipelineError } from '../src/diffusion';
import type { EngineErrorCode } from './protocol';

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

export function toEngineError(err: unknown, stage: 'load' | 'generate'): { code: EngineErrorCode; message: string } {
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof EngineFailure) return { code: err.code, message };
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
  return { code: stage === 'load' ? 'load-failed' : 'internal', message };
}
