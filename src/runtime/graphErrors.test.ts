// Which load failures mean "these bytes are no ONNX model": checked against the real messages of our
// decoder, of onnxruntime-node's C++ loader, and the text onnxruntime-web's wasm binary carries.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { fakeBytes } from '../../scripts/mock-hub/fixture';
import { decodeModel } from '../onnx/proto';
import { GraphReadError, isUnreadableGraph, namedGraphError, SessionError } from './graphErrors';

const messageOf = async (f: () => unknown): Promise<string> => {
  try {
    await f();
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
  throw new Error('expected a failure');
};

describe('unreadable graphs', () => {
  it('recognises our decoder’s and onnxruntime’s parse failures, and not other session errors', async () => {
    const junk = fakeBytes(4096, 7);
    const ours = await messageOf(() => decodeModel(junk));
    expect(ours).toMatch(/^not an ONNX model/);
    expect(isUnreadableGraph(ours)).toBe(true);
    const native = await messageOf(() => ort.InferenceSession.create(junk));
    expect(isUnreadableGraph(native)).toBe(true);
    // onnxruntime-web reports the message its wasm build carries (the same C++ loader).
    const webDist = dirname(createRequire(import.meta.url).resolve('onnxruntime-web'));
    const wasm = readFileSync(join(webDist, 'ort-wasm-simd-threaded.wasm')).toString('latin1');
    const webMessage = /Failed to load model because protobuf parsing failed\./.exec(wasm)?.[0];
    expect(webMessage).toBeDefined();
    expect(isUnreadableGraph(`Can't create a session. ERROR_CODE: 7, ERROR_MESSAGE: ${webMessage}`)).toBe(true);
    expect(isUnreadableGraph('Could not find an implementation for NonZero(13) node with name ...')).toBe(false);
    expect(isUnreadableGraph('failed to allocate a buffer of size 123')).toBe(false);
  });

  it('names the file and the model for a session that failed to parse its graph; other errors pass through', () => {
    const named = namedGraphError(new SessionError('UNet', 'wasm', 'Failed to load model because protobuf parsing failed.'), 'local/toy-shapes');
    expect(named).toBeInstanceOf(GraphReadError);
    expect((named as GraphReadError).file).toBe('unet/model.onnx');
    expect((named as Error).message).toBe('unet/model.onnx of local/toy-shapes could not be read as an ONNX model: Failed to load model because protobuf parsing failed.');
    const other = new SessionError('VAE decoder', 'webgpu', 'Could not find an implementation for Foo(1) node');
    expect(namedGraphError(other, 'x')).toBe(other);
  });

  it('never calls the instrumented UNet (bytes the app wrote after the file parsed) a damaged file', () => {
    const err = namedGraphError(new SessionError('UNet', 'wasm', 'Failed to load model because protobuf parsing failed.'), 'local/toy-shapes', ['UNet']);
    expect(err).not.toBeInstanceOf(GraphReadError);
    expect((err as Error).message).toMatch(/instrumented UNet made from unet\/model\.onnx of local\/toy-shapes .*not a damaged download/);
    // The other graphs are still the files themselves.
    expect(namedGraphError(new SessionError('VAE decoder', 'wasm', 'protobuf parsing failed'), 'm', ['UNet'])).toBeInstanceOf(GraphReadError);
  });
});
