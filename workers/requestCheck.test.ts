// The load request's Automatic-backend fields as the worker receives them: kept when well-formed,
// refused with a message otherwise (a remembered measurement comes from the page's localStorage).

import { describe, expect, it } from 'vitest';
import { checkRequest } from './requestCheck';

const load = { type: 'load', id: 4, baseUrl: '/models/toy-shapes/', provider: 'auto' };

describe('checkRequest: load', () => {
  it('keeps wasmViable and a remembered measurement, dropping unknown keys of it', () => {
    const remembered = { adapterKey: 'nvidia|ampere||', webgpuMs: 31, wasmMs: 96, extra: 'x' };
    expect(checkRequest({ ...load, wasmViable: false, remembered })).toEqual({
      ok: true,
      request: { ...load, wasmViable: false, remembered: { adapterKey: 'nvidia|ampere||', webgpuMs: 31, wasmMs: 96 } },
    });
    expect(checkRequest(load)).toEqual({ ok: true, request: load });
  });

  it('refuses malformed ones', () => {
    expect(checkRequest({ ...load, wasmViable: 'yes' })).toMatchObject({ ok: false, id: 4, message: /wasmViable/ });
    expect(checkRequest({ ...load, remembered: { adapterKey: 'a', webgpuMs: -1, wasmMs: 3 } })).toMatchObject({ ok: false, message: /remembered/ });
  });
});
