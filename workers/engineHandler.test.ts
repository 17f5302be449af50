// The engine's message handler on the real onnxruntime-node backend and the toy model (or a
// `train.py --smoke` export): event order, cancel, a run superseding another, bad input, load errors.

import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate } from '../src/diffusion';
import { tokenHeatmaps } from '../src/p2p';
import { loadNodeEngineModel } from '../src/runtime/nodeEngineModel';
import { parseGenerateArgs } from '../src/runtime/nodeGenerateArgs';
import { loadNodeModel, type NodeModel } from '../src/runtime/nodeModel';
import { DEFAULT_RECIPE, type Recipe } from '../src/state/recipe';
import { toGenerateRequest } from '../src/state/toRequest';
import { REPO_ROOT } from '../tests/helpers/fixtures';
import { TOY_MODEL_DIR, toyP2pConfig, toySwap } from '../tests/helpers/toyModel';
import { EngineHandler, type ModelFactory } from './engineHandler';
import type { EngineEvent, EngineGenerateRequest, EngineRequest } from './protocol';

const MODEL_DIR = TOY_MODEL_DIR;

const SWAP: EngineGenerateRequest = toySwap(5);

/** The Node model factory (onnxruntime-node), with or without the instrumented UNet. */
const nodeFactory =
  (instrument: boolean): ModelFactory =>
  (request, onLoading) =>
    loadNodeEngineModel(request.baseUrl, onLoading, { instrument, threads: 1 });

/** A handler whose events are recorded; `onEvent` lets a test react mid-run (cancel, supersede). */
function harness(instrument = true) {
  const events: EngineEvent[] = [];
  let onEvent: (e: EngineEvent) => void = () => {};
  const handler = new EngineHandler({
    loadModel: nodeFactory(instrument),
    post: (event, transfer) => {
      for (const buffer of transfer) expect(buffer).toBeInstanceOf(ArrayBuffer);
      events.push(event);
      onEvent(event);
    },
  });
  const send = (r: EngineRequest) => handler.handle(r);
  const of = (id: number) => events.filter((e) => e.id === id);
  return { handler, events, send, of, react: (f: (e: EngineEvent) => void) => (onEvent = f) };
}

describe('engine handler on onnxruntime-node', () => {
  const h = harness();
  let reference: NodeModel;

  beforeAll(async () => {
    h.send({ type: 'load', id: 1, baseUrl: MODEL_DIR, provider: 'auto' });
    await h.handler.idle();
    reference = await loadNodeModel(MODEL_DIR, { instrument: true, threads: 1 });
  });
  afterAll(async () => {
    await h.handler.dispose();
    await reference?.dispose();
  });

  it('loads: loading events, then ready with the instrumentation summary', () => {
    const types = h.of(1).map((e) => e.type);
    expect(types.slice(0, 3)).toEqual(['loading', 'loading', 'loading']);
    expect(types.at(-1)).toBe('ready');
    const ready = h.of(1).at(-1)!;
    if (ready.type !== 'ready') throw new Error('no ready event');
    expect(ready.backend).toBe('cpu');
    const { latentSize, mapResolution } = toyP2pConfig();
    expect(ready.model).toMatchObject({ instrumented: true, latentChannels: 4, latentSize: [latentSize, latentSize], imageSize: [32, 32], mapResolution });
    expect(ready.report?.crossLayers).toBeGreaterThan(0);
  });

  it('generates a swap: progress, attention, previews, images in order, equal to a direct pipeline run', async () => {
    h.send({ type: 'generate', id: 2, request: SWAP });
    await h.handler.idle();
    const events = h.of(2);
    const types = events.map((e) => e.type);
    expect(types.filter((t) => t === 'progress')).toHaveLength(SWAP.steps + 1); // PNDM: steps + 1 calls
    expect(types.filter((t) => t === 'image')).toHaveLength(2);
    expect(types.at(-1)).toBe('done');
    expect(types.indexOf('progress')).toBe(0);
    expect(types.lastIndexOf('attention')).toBeLessThan(types.indexOf('image'));
    expect(types.lastIndexOf('progress')).toBeLessThan(types.indexOf('image'));
    expect(types).toContain('preview');

    const attention = events.filter((e) => e.type === 'attention');
    const last = attention.at(-1)!;
    expect(last.resolution).toBe(8);
    expect(last.maps.length).toBe(8 * 8 * 77);
    expect(last.tokens[0]).toMatch(/startoftext/);
    expect(last.tokens).toHaveLength(5); // BOS a red circle EOS
    // One heatmap tile per token label, as the CPU twin makes them from the event's maps.
    expect(last.tiles.map((t) => Array.from(t))).toEqual(tokenHeatmaps(last.maps, 8, 77, 5).map((t) => Array.from(t)));

    const direct = await generate(reference, SWAP);
    const images = events.filter((e) => e.type === 'image');
    expect(images.map((e) => e.label)).toEqual(['source', 'edit 1']);
    images.forEach((img, p) => expect(Array.from(img.rgba)).toEqual(Array.from(direct.images[p])));
    expect(Array.from(last.maps)).toEqual(Array.from(direct.attention!.maps.slice(last.prompt * 8 * 8 * 77, (last.prompt + 1) * 8 * 8 * 77)));
  });

  it('the studio (recipe → engine) and the CLI (arguments → pipeline) make the same images with a negative prompt', async () => {
    const recipe: Recipe = {
      ...DEFAULT_RECIPE, prompt: 'a red circle', edits: ['a red square'], negativePrompt: 'blue', cross: 0.4, self: 0.2, seed: 8888, steps: 5, guidance: 7.5, scheduler: 'pndm', baseline: false,
    };
    const argv = ['--model', MODEL_DIR, '--prompt', 'a red circle', '--edit', 'a red square', '--negative', 'blue', '--cross', '0.4', '--self', '0.2', '--seed', '8888', '--steps', '5', '--guidance', '7.5', '--scheduler', 'pndm'];
    const studioImages = async (r: Recipe, id: number) => {
      h.send({ type: 'generate', id, request: { ...toGenerateRequest(r), previewEvery: 0 } });
      await h.handler.idle();
      return h.of(id).filter((e) => e.type === 'image').map((e) => Array.from(e.rgba));
    };
    const studio = await studioImages(recipe, 40);
    const cli = await generate(reference, parseGenerateArgs(argv).request);
    expect(studio).toHaveLength(2);
    expect(studio).toEqual(cli.images.map((img) => Array.from(img)));
    // …and the negative prompt is what made them: without it the studio's images differ.
    const without = await studioImages({ ...recipe, negativePrompt: '' }, 41);
    expect(without[0]).not.toEqual(studio[0]);
  });

  it('runs the baseline after the edit when asked', async () => {
    h.send({ type: 'generate', id: 3, request: { ...SWAP, steps: 2, baseline: true, previewEvery: 0 } });
    await h.handler.idle();
    const images = h.of(3).filter((e) => e.type === 'image');
    expect(images.map((e) => `${e.phase}:${e.label}`)).toEqual(['main:source', 'main:edit 1', 'baseline:baseline 0', 'baseline:baseline 1']);
    const done = h.of(3).at(-1)!;
    expect(done.type === 'done' && done.baselineTimings !== undefined).toBe(true);
    expect(h.of(3).some((e) => e.type === 'preview')).toBe(false);
  });

  it('cancel stops within one UNet call: a cancelled error and no done', async () => {
    h.react((e) => {
      if (e.id === 4 && e.type === 'progress' && e.call === 2) h.send({ type: 'cancel', id: 4 });
    });
    h.send({ type: 'generate', id: 4, request: { ...SWAP, steps: 20 } });
    await h.handler.idle();
    h.react(() => {});
    const events = h.of(4);
    expect(events.filter((e) => e.type === 'progress').length).toBeLessThanOrEqual(3);
    expect(events.at(-1)).toMatchObject({ type: 'error', code: 'cancelled' });
    expect(events.some((e) => e.type === 'done' || e.type === 'image')).toBe(false);
  });

  it('a new generate cancels the running one, which reports cancelled before the new run starts', async () => {
    h.react((e) => {
      if (e.id === 5 && e.type === 'progress' && e.call === 1) h.send({ type: 'generate', id: 6, request: SWAP });
    });
    h.send({ type: 'generate', id: 5, request: { ...SWAP, steps: 20 } });
    await h.handler.idle();
    h.react(() => {});
    expect(h.of(5).at(-1)).toMatchObject({ type: 'error', code: 'cancelled' });
    expect(h.of(5).some((e) => e.type === 'done')).toBe(false);
    expect(h.of(6).at(-1)?.type).toBe('done');
    const cancelledAt = h.events.findIndex((e) => e.id === 5 && e.type === 'error');
    const firstOf6 = h.events.findIndex((e) => e.id === 6);
    expect(cancelledAt).toBeLessThan(firstOf6);
  });

  it('bad input becomes bad-input errors, unknown messages are ignored, and the engine stays usable', async () => {
    const before = h.events.length;
    h.handler.handle({ type: 'em-pthread-message', payload: 1 });
    h.handler.handle('not an object');
    expect(h.events.length).toBe(before);
    // One at a time: each generate would cancel the one before it.
    const requests: unknown[] = [
      { type: 'generate', id: 7, request: { ...SWAP, prompts: ['a red circle', 'a big red square'] } },
      { type: 'generate', id: 8, request: { ...SWAP, steps: 0 } },
      { type: 'generate', id: 9, request: { ...SWAP, edit: { ...SWAP.edit!, localBlend: { words: [['circle'], ['heart']] } } } },
      { type: 'generate', id: 10, request: { prompts: 'a red circle', seed: 1, steps: 2, guidance: 7.5 } },
      { type: 'generate', id: 12, request: { ...SWAP, negativePrompt: 42 } },
      { type: 'generate' },
    ];
    for (const r of requests) {
      h.handler.handle(r);
      await h.handler.idle();
    }
    expect(h.of(7).at(-1)).toMatchObject({ type: 'error', code: 'bad-input' });
    expect(h.of(7).at(-1)).toMatchObject({ message: expect.stringMatching(/refine/) });
    expect(h.of(8).at(-1)).toMatchObject({ type: 'error', code: 'bad-input', message: expect.stringMatching(/steps/) });
    expect(h.of(9).at(-1)).toMatchObject({ type: 'error', code: 'bad-input' });
    expect(h.of(10).at(-1)).toMatchObject({ type: 'error', code: 'bad-input' });
    expect(h.of(12).at(-1)).toMatchObject({ type: 'error', code: 'bad-input', message: 'request.negativePrompt must be text, got 42' });
    expect(h.of(-1).at(-1)).toMatchObject({ type: 'error', code: 'bad-input' });
    h.send({ type: 'generate', id: 11, request: { prompts: ['a blue star', 'a green star'], seed: 1, steps: 2, guidance: 7.5 } });
    await h.handler.idle();
    expect(h.of(11).at(-1)).toMatchObject({ type: 'done' });
  });
});

describe('engine handler errors', () => {
  it('generate before load is bad-input; a missing folder is invalid-model (a LayoutError); the engine stays usable', async () => {
    const h = harness();
    h.send({ type: 'generate', id: 1, request: SWAP });
    await h.handler.idle();
    h.send({ type: 'load', id: 2, baseUrl: join(REPO_ROOT, 'no-such-model'), provider: 'auto' });
    await h.handler.idle();
    expect(h.of(1).at(-1)).toMatchObject({ type: 'error', code: 'bad-input', message: expect.stringMatching(/load/) });
    expect(h.of(2).at(-1)).toMatchObject({ type: 'error', code: 'invalid-model', file: 'scheduler/scheduler_config.json', message: expect.stringMatching(/missing-file/) });
    h.send({ type: 'load', id: 3, baseUrl: MODEL_DIR, provider: 'auto' });
    h.send({ type: 'generate', id: 4, request: { prompts: ['a red circle', 'a blue circle'], seed: 3, steps: 2, guidance: 7.5 } });
    await h.handler.idle();
    expect(h.of(4).at(-1)?.type).toBe('done');
    await h.handler.dispose();
  });

  it('an edit on a stock (not instrumented) UNet is not-instrumented', async () => {
    const h = harness(false);
    h.send({ type: 'load', id: 1, baseUrl: MODEL_DIR, provider: 'auto' });
    h.send({ type: 'generate', id: 2, request: SWAP });
    await h.handler.idle();
    expect(h.of(2).at(-1)).toMatchObject({ type: 'error', code: 'not-instrumented' });
    await h.handler.dispose();
  });
});
