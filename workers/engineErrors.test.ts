// Error codes of the engine protocol from what loads and runs throw.

import { describe, expect, it } from 'vitest';
import { AbortError, PipelineError } from '../src/diffusion';
import { EngineFailure, toEngineError } from './engineErrors';

describe('toEngineError', () => {
  it('keeps pipeline codes and maps aborts, allocation failures and the rest by stage', () => {
    expect(toEngineError(new PipelineError('bad-input', 'steps'), 'generate').code).toBe('bad-input');
    expect(toEngineError(new PipelineError('not-instrumented', 'stock'), 'generate').code).toBe('not-instrumented');
    expect(toEngineError(new PipelineError('backend', 'odd output'), 'generate').code).toBe('internal');
    expect(toEngineError(new AbortError(), 'generate').code).toBe('cancelled');
    expect(toEngineError(Object.assign(new Error('The operation was aborted'), { name: 'AbortError' }), 'load').code).toBe('cancelled');
    expect(toEngineError(new Error('std::bad_alloc'), 'generate').code).toBe('out-of-memory');
    expect(toEngineError(new Error('Aborted(OOM)'), 'load').code).toBe('out-of-memory');
    expect(toEngineError(new Error('HTTP 404'), 'load').code).toBe('load-failed');
    expect(toEngineError(new Error('boom'), 'generate')).toEqual({ code: 'internal', message: 'boom' });
    expect(toEngineError(new EngineFailure('bad-input', 'no model'), 'generate').code).toBe('bad-input');
    expect(toEngineError('a string', 'generate')).toEqual({ code: 'internal', message: 'a string' });
  });
});
