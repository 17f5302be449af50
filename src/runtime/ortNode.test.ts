// The onnxruntime-node backend and the pipeline over real ORT sessions of tiny closed-form models:
// dtype handling (int64 ids and timestep), p2p feeds, model-folder loading and its errors.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate, identityP2P, PipelineError } from '../diffusion';
import { CLIP_TOKENIZER_DIR, loadFixture } from '../../tests/helpers/fixtures';
import { loadNodeModel, type NodeModel } from './nodeModel';
import { TINY, writeTinyModel } from './ortNodeTinyModels';

interface SchedulerFixture {
  cases: { name: string; config: Record<string, unknown> }[];
}

const root = mkdtempSync(join(tmpdir(), 'ortnode-test-'));
let stock: NodeModel;
let instrumented: NodeModel;

beforeAll(async () => {
  const schedulerConfig = loadFixture<SchedulerFixture>('schedulers.json').cases.find((c) => c.name === 'pndm-sd14')!.config;
  writeTinyModel(join(root, 'stock'), { instrumented: false, tokenizerDir: CLIP_TOKENIZER_DIR, schedulerConfig });
  writeTinyModel(join(root, 'p2p'), { instrumented: true, tokenizerDir: CLIP_TOKENIZER_DIR, schedulerConfig });
  stock = await loadNodeModel(join(root, 'stock'), { threads: 1 });
  instrumented = await loadNodeModel(join(root, 'p2p'), { threads: 1 });
});

afterAll(async () => {
  await stock?.dispose();
  await instrumented?.dispose();
  rmSync(root, { recursive: true, force: true });
});

describe('onnxruntime-node backend', () => {
  it('reads capabilities from the graphs and configs', () => {
    expect(stock.backend.capabilities).toMatchObject({ instrumented: false, latentChannels: 4, latentSize: [8, 8], hiddenSize: 8 });
    expect(instrumented.backend.capabilities).toMatchObject({ instrumented: true, mapResolution: TINY.mapRes });
    expect(stock.scalingFactor).toBe(0.5);
  });

  it('feeds int64 input_ids and returns [B, 77, D]', async () => {
    const ids = new Int32Array(2 * 77).fill(49407);
    ids[0] = 49406;
    const out = await stock.backend.encodeText(ids, 2);
    expect(out.length).toBe(2 * 77 * TINY.hidden);
    expect(out[0]).toBeCloseTo(49406 * 1e-4, 5);
    expect(out[77 * TINY.hidden + 3]).toBeCloseTo(49407 * 4e-4, 4);
  });

  it('feeds an int64 timestep and the p2p tensors', async () => {
    const n = 2 * 4 * 8 * 8;
    const sample = Float32Array.from({ length: n }, (_, i) => i / n);
    const context = new Float32Array(2 * 77 * 8).fill(0.5);
    const base = { sample, sampleDims: [2, 4, 8, 8] as [number, number, number, number], timestep: 981, context, contextDims: [2, 77, 8] as [number, number, number] };
    const plain = await stock.backend.unet(base);
    expect(plain.noise[10]).toBeCloseTo(0.1 * sample[10] + 0.5 + 0.0981, 5);
    expect(plain.attn).toBeUndefined();
    const p2p = { ...identityP2P(1), self: true };
    p2p.gain.fill(1);
    const edited = await instrumented.backend.unet({ ...base, p2p });
    expect(edited.noise[10] - plain.noise[10]).toBeCloseTo(77e-3 + 1e-2, 5);
    expect(edited.attn?.length).toBe(2 * 4 * 77);
    await expect(instrumented.backend.unet(base)).rejects.toThrow(/p2p inputs/);
  });
});

describe('pipeline on onnxruntime-node', () => {
  const request = { prompts: ['a red circle', 'a blue circle'], seed: 8888, steps: 3, guidance: 7.5 };

  it('baseline: the stock and the identity-instrumented UNet agree; images are RGBA at 2× the latent', async () => {
    const a = await generate(stock, request);
    const b = await generate(instrumented, request);
    expect(a.images).toHaveLength(2);
    expect([a.width, a.height]).toEqual([16, 16]);
    expect(b.latents).toEqual(a.latents);
    expect(b.attention?.maps.length).toBe(2 * 4 * 77);
  });

  it('edit: runs on the instrumented UNet and is refused on the stock one', async () => {
    const edit = { kind: 'replace' as const, crossReplaceSteps: 0.8, selfReplaceSteps: 0.4 };
    const res = await generate(instrumented, { ...request, edit });
    expect(res.timesteps).toHaveLength(4);
    await expect(generate(stock, { ...request, edit })).rejects.toBeInstanceOf(PipelineError);
  });

  it('names the missing files of a broken model folder', async () => {
    await expect(loadNodeModel(join(root, 'nowhere'))).rejects.toThrow(/nowhere: scheduler\/scheduler_config\.json: missing \(unsupported model layout: missing-file\)/);
  });
});
