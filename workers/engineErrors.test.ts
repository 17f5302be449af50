// Error codes of the engine protocol from what loads and runs throw.

import { describe, expect, it } from 'vitest';
import { AbortError, PipelineError } from '../src/diffusion';
import { ModelError } from '../src/models/errors';
import { notInstrumentable } from '../src/models/layout';
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

  it('tells a UNet that cannot be instrumented apart, so the page can offer the stock UNet', () => {
    const err = notInstrumentable('o/r', 'no attention layers found');
    expect(toEngineError(err, 'load')).toMatchObject({ code: 'not-instrumented', file: 'unet/model.onnx', detail: 'not-instrumentable' });
    expect(toEngineError(err, 'load').message).toContain('could not be instrumented: no attention layers found');
  });

  it('maps model-layer errors to protocol codes with the file and HTTP status', () => {
    expect(toEngineError(new ModelError('not-found', 'gone', 'unet/model.onnx', 404), 'load')).toEqual({
      code: 'not-found',
      message: 'gone',
      detail: 'not-found',
      file: 'unet/model.onnx',
      status: 404,
    });
    expect(toEngineError(new ModelError('server', 'HTTP 500', 'a', 500), 'download')).toMatchObject({ code: 'download-failed', detail: 'server', status: 500 });
    for (const c of ['network', 'length', 'integrity', 'http'] as const) expect(toEngineError(new ModelError(c, c), 'load').code).toBe('download-failed');
    expect(toEngineError(new ModelError('aborted', 'stop'), 'load').code).toBe('cancelled');
    expect(toEngineError(new ModelError('quota', 'full'), 'load').code).toBe('quota');
    expect(toEngineError(new ModelError('invalid-model', 'torch'), 'load').code).toBe('invalid-model');
    expect(toEngineError(new ModelError('capability', 'no gpu'), 'load').code).toBe('capability');
    expect(toEngineError(new ModelError('damaged', 'unet/model.onnx of o/r is damaged', 'unet/model.onnx'), 'load')).toEqual({
      code: 'damaged',
      message: 'unet/model.onnx of o/r is damaged',
      detail: 'damaged',
      file: 'unet/model.onnx',
    });
    expect(toEngineError(new Error('boom'), 'download').code).toBe('load-failed');
  });
});
