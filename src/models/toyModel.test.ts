// The registry's toy-model file list against the real export (public/models/toy-shapes, or
// TOY_MODEL_DIR), fetched through the mock Hub into a store; skipped until the toy model exists.

import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startMockHub, type MockHub } from '../../scripts/mock-hub';
import { MemoryModelStore } from './cache';
import { ensureModel } from './ensureModel';
import { validateModelIndex } from './modelIndex';
import { TOY_MODEL, type ModelEntry } from './registry';

const dir = resolve(process.env.TOY_MODEL_DIR ?? 'public/models/toy-shapes');
const present = existsSync(resolve(dir, 'model_index.json'));
let hub: MockHub | undefined;
afterAll(() => hub?.close());

describe.skipIf(!present)(`toy model at ${dir}`, () => {
  it('has every required registry file, downloads through the mock Hub, and validates', async () => {
    hub = await startMockHub({ root: dir, repo: 'local/toy-shapes' });
    const entry: ModelEntry = { ...TOY_MODEL, source: { kind: 'hub', repo: 'local/toy-shapes', revision: 'main', endpoint: hub.url } };
    const model = await ensureModel(entry, { store: new MemoryModelStore(), storage: {}, retries: 1, backoffMs: 5 });
    for (const f of TOY_MODEL.files.filter((f) => !f.optional)) expect(model.has(f.path)).toBe(true);
    expect(validateModelIndex(await model.json('model_index.json'), 'toy').components.unet[1]).toBe('OnnxRuntimeModel');
    const total = (await Promise.all(['text_encoder', 'unet', 'vae_decoder'].map(async (c) => (await model.blob(`${c}/model.onnx`)).size))).reduce((a, b) => a + b, 0);
    expect(total).toBeLessThanOrEqual(TOY_MODEL.requirements.weightBytes);
  });
});
