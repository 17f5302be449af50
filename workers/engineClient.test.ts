// EngineClient over the in-thread port and the real onnxruntime-node backend: typed events, results,
// AbortSignal cancellation and errors rebuilt as EngineError; the client survives each of them.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadNodeEngineModel } from '../src/runtime/nodeEngineModel';
import { TOY_MODEL_DIR, toySwap } from '../tests/helpers/toyModel';
import { EngineClient, EngineError, type EnginePort } from './engineClient';
import { inThreadPort } from './inThreadPort';
import type { EngineGenerateRequest } from './protocol';

const MODEL_DIR = TOY_MODEL_DIR;

const SWAP: EngineGenerateRequest = toySwap(4);

describe('EngineClient (in-thread port, onnxruntime-node)', () => {
  const client = new EngineClient({
    port: () => inThreadPort({ loadModel: (r, onLoading) => loadNodeEngineModel(r.baseUrl, onLoading, { threads: 1 }) }),
  });
  beforeAll(async () => {
    const loading: string[] = [];
    const ready = await client.load(MODEL_DIR, { onLoading: (e) => loading.push(e.file) });
    expect(ready.backend).toBe('cpu');
    expect(loading).toContain('unet/model.onnx');
  });
  afterAll(() => client.terminate());

  it('generate resolves with the images and streams typed events', async () => {
    const seen: string[] = [];
    const outcome = await client.generate(SWAP, {
      onProgress: (e) => seen.push(`progress ${e.call}/${e.total}`),
      onAttention: (e) => seen.push(`attention ${e.prompt}`),
      onImage: (e) => seen.push(`image ${e.label}`),
    });
    expect(outcome.images.map((i) => i.label)).toEqual(['source', 'edit 1']);
    expect(outcome.images[0].rgba.length).toBe(outcome.images[0].width * outcome.images[0].height * 4);
    expect(seen[0]).toBe('progress 1/5');
    expect(seen.at(-1)).toBe('image edit 1');
    expect(outcome.done.timings.total).toBeGreaterThan(0);
  });

  it('an AbortSignal rejects with EngineError cancelled, and the next run succeeds', async () => {
    const controller = new AbortController();
    const run = client.generate({ ...SWAP, steps: 30 }, { signal: controller.signal, onProgress: (e) => e.call === 2 && controller.abort() });
    await expect(run).rejects.toMatchObject({ name: 'EngineError', code: 'cancelled' });
    const outcome = await client.generate(SWAP);
    expect(outcome.images).toHaveLength(2);
  });

  it('error events become EngineError with their code', async () => {
    const err = await client.generate({ ...SWAP, prompts: ['a red circle', 'a big red square'] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EngineError);
    expect(err).toMatchObject({ code: 'bad-input' });
  });
});

describe('EngineClient without a model', () => {
  it('rejects pending calls with internal when the port fails, and starts a fresh port next time', async () => {
    let failPort: (message: string) => void = () => {};
    let ports = 0;
    const port = (): EnginePort => {
      ports += 1;
      return { post: () => {}, listen: (_, onFailure) => (failPort = onFailure), close: () => {} };
    };
    const client = new EngineClient({ port });
    const pending = client.generate(SWAP);
    failPort('worker crashed');
    await expect(pending).rejects.toMatchObject({ code: 'internal', message: 'worker crashed' });
    void client.generate(SWAP).catch(() => {});
    expect(ports).toBe(2);
    client.terminate();
  });

  it('an already aborted signal rejects without posting', async () => {
    const client = new EngineClient({ port: () => ({ post: () => expect.unreachable(), listen: () => {}, close: () => {} }) });
    await expect(client.generate(SWAP, { signal: AbortSignal.abort() })).rejects.toMatchObject({ code: 'cancelled' });
  });
});
