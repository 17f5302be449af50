// The load request's Automatic-backend fields as the worker receives them: kept when well-formed,
// refused with a message otherwise (a remembered measurement comes from the page's localStorage); the
// generate request's negative prompt: text up to the prompts' limit, anything else refused before a run.

import { describe, expect, it } from 'vitest';
import { MAX_PROMPT_CHARS } from '../src/state/recipe';
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

  it('keeps the user’s choice of the stock UNet, and refuses anything but a boolean', () => {
    expect(checkRequest({ ...load, allowStockUnet: true })).toEqual({ ok: true, request: { ...load, allowStockUnet: true } });
    expect(checkRequest({ ...load, allowStockUnet: 'yes' })).toMatchObject({ ok: false, message: /allowStockUnet/ });
  });

  it('refuses malformed ones', () => {
    expect(checkRequest({ ...load, wasmViable: 'yes' })).toMatchObject({ ok: false, id: 4, message: /wasmViable/ });
    expect(checkRequest({ ...load, remembered: { adapterKey: 'a', webgpuMs: -1, wasmMs: 3 } })).toMatchObject({ ok: false, message: /remembered/ });
  });
});

describe('checkRequest: generate, a picture', () => {
  const request = { prompts: ['a red circle', 'a red square'], seed: 1, steps: 2, guidance: 7.5 };
  const generate = (picture: unknown) => ({ type: 'generate', id: 9, request: { ...request, picture } });
  const rgba = new Uint8ClampedArray(2 * 3 * 4);

  it('accepts RGBA of the stated size with a known inversion', () => {
    expect(checkRequest(generate({ rgba, width: 2, height: 3, method: 'ddim' }))).toMatchObject({ ok: true });
  });

  it('refuses a wrong size, a missing buffer and an unknown method', () => {
    expect(checkRequest(generate({ rgba, width: 3, height: 3, method: 'ddim' }))).toMatchObject({ ok: false, message: /width × height × 4/ });
    expect(checkRequest(generate({ width: 2, height: 3, method: 'ddim' }))).toMatchObject({ ok: false, message: /rgba/ });
    expect(checkRequest(generate({ rgba, width: 2, height: 3, method: 'null-text' }))).toMatchObject({ ok: false, message: /negative-prompt or ddim/ });
    expect(checkRequest(generate({ rgba, width: 0, height: 3, method: 'ddim' }))).toMatchObject({ ok: false, message: /integers in 1/ });
  });
});

describe('checkRequest: generate, negative prompt', () => {
  const request = { prompts: ['a red circle', 'a red square'], seed: 1, steps: 2, guidance: 7.5 };
  const generate = (extra: Record<string, unknown>) => ({ type: 'generate', id: 9, request: { ...request, ...extra } });

  it('accepts text up to the prompts\' limit, or none', () => {
    for (const negativePrompt of [undefined, '', 'blurry, text', 'n'.repeat(MAX_PROMPT_CHARS)]) {
      const message = generate({ negativePrompt });
      expect(checkRequest(message)).toEqual({ ok: true, request: message });
    }
  });

  it('refuses other types and over-long text with a message naming the field', () => {
    expect(checkRequest(generate({ negativePrompt: 7 }))).toEqual({ ok: false, id: 9, message: 'request.negativePrompt must be text, got 7' });
    expect(checkRequest(generate({ negativePrompt: ['a', 'b'] }))).toEqual({ ok: false, id: 9, message: 'request.negativePrompt must be text, got ["a","b"]' });
    expect(checkRequest(generate({ negativePrompt: { toString: 'x' } }))).toMatchObject({ ok: false, message: /negativePrompt must be text/ });
    expect(checkRequest(generate({ negativePrompt: null }))).toMatchObject({ ok: false, message: 'request.negativePrompt must be text, got null' });
    expect(checkRequest(generate({ negativePrompt: 'n'.repeat(MAX_PROMPT_CHARS + 1) }))).toEqual({
      ok: false,
      id: 9,
      message: `request.negativePrompt has ${MAX_PROMPT_CHARS + 1} characters; the limit is ${MAX_PROMPT_CHARS}`,
    });
  });
});
