/**
 * `npm run random-sd --scale mini`: the written folder resolves like a Hub SD 1.x export (latent size from
 * unet/config.json, external data for all three graphs, the vocab.json + merges.txt tokenizer), loads on
 * onnxruntime-node with the UNet instrumented, and runs a 2-step swap edit. The same seed written with an fp16 UNet
 * gives the fp32 images within fp16 precision; the skeletons hold SD 1.5's exact parameter counts.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate, type GenerateResult } from '../../src/diffusion';
import { resolveLayout } from '../../src/models/layout';
import { dirLayoutReader } from '../../src/runtime/nodeLayoutReader';
import { loadNodeModel, type NodeModel } from '../../src/runtime/nodeModel';
import { SKELETONS, writeRandomSd } from './writeRandomSd';

const prompts = ['a cat riding a bicycle', 'a dog riding a bicycle'];
const request = { prompts, seed: 3, steps: 2, guidance: 7.5, edit: { kind: 'replace' as const, crossReplaceSteps: 0.8, selfReplaceSteps: 0.4 } };

let fp32: NodeModel;
let fp16: NodeModel;
let dir32: string;
let dir16: string;

beforeAll(async () => {
  dir32 = mkdtempSync(join(tmpdir(), 'random-sd-mini-'));
  dir16 = mkdtempSync(join(tmpdir(), 'random-sd-mini16-'));
  writeRandomSd({ scale: 'mini', out: dir32 });
  writeRandomSd({ scale: 'mini', out: dir16, unetFp16: true });
  fp32 = await loadNodeModel(dir32, { instrument: true, threads: 2 });
  fp16 = await loadNodeModel(dir16, { instrument: true, threads: 2 });
}, 120_000);

afterAll(async () => {
  await fp32?.dispose();
  await fp16?.dispose();
  for (const d of [dir32, dir16]) if (d) rmSync(d, { recursive: true, force: true });
});

describe('random-sd mini', () => {
  it('resolves as an SD 1.x export: 32x32 latents from unet/config.json, 256 px, external data everywhere', async () => {
    const layout = await resolveLayout(dirLayoutReader(dir32));
    expect(layout.latentSize).toEqual([32, 32]);
    expect(layout.latentSource).toBe('unet/config.json');
    expect(layout.imageSize).toEqual([256, 256]);
    expect(layout.vaeFactor).toBe(8);
    expect(layout.tokenizer.form).toBe('vocab+merges');
    for (const c of ['text_encoder', 'unet', 'vae_decoder'] as const) expect(layout.graphs[c].externalData).toEqual([`${c}/model.onnx_data`]);
    expect(layout.precision).toBe('fp32');
    expect((await resolveLayout(dirLayoutReader(dir16))).precision).toBe('fp16');
  });

  it('tokenises with CLIP ids (BOS 49406, EOS 49407, byte-level pieces)', () => {
    const ids = fp32.tokenizer.encode('a cat');
    expect(ids[0]).toBe(49406);
    expect(ids[ids.length - 1]).toBe(49407);
    expect(ids.slice(1, -1).every((id) => id < 512)).toBe(true);
  });

  let edited32: GenerateResult;
  it('runs a 2-step swap edit with heatmaps; the source image is the unedited generation of its prompt', async () => {
    edited32 = await generate(fp32, request);
    expect(fp32.instrumentReport?.layers.length).toBeGreaterThan(0);
    expect([edited32.width, edited32.height]).toEqual([256, 256]);
    expect(edited32.attention?.resolution).toBe(8);
    for (const img of edited32.images) {
      const values = new Set(img.filter((_, i) => i % 4 === 0));
      expect(values.size).toBeGreaterThan(16); // not a flat image
    }
    const plain = await generate(fp32, { ...request, prompts: [prompts[0]], edit: undefined });
    expect(Array.from(plain.images[0])).toEqual(Array.from(edited32.images[0]));
    expect(Array.from(edited32.images[1])).not.toEqual(Array.from(edited32.images[0]));
  }, 120_000);

  it('an fp16 UNet with the same seed gives the fp32 images within fp16 precision', async () => {
    const edited16 = await generate(fp16, request);
    for (let i = 0; i < 2; i++) {
      let worst = 0;
      let sum = 0;
      const a = edited32.images[i];
      const b = edited16.images[i];
      for (let k = 0; k < a.length; k++) {
        const d = Math.abs(a[k] - b[k]);
        worst = Math.max(worst, d);
        sum += d;
      }
      expect(sum / a.length).toBeLessThan(2);
      expect(worst).toBeLessThan(40);
    }
  }, 120_000);
});

describe('random-sd full skeletons', () => {
  const fill = (c: string) => JSON.parse(readFileSync(join(SKELETONS, 'full', c, 'fill.json'), 'utf8')) as { parameters: number; tensors: { dims: number[] }[] };
  it("hold SD 1.5's parameter counts (UNet 859,520,964; CLIP ViT-L/14 text 123,060,480; VAE decoder 49,490,199)", () => {
    expect(fill('unet').parameters).toBe(859_520_964);
    expect(fill('text_encoder').parameters).toBe(123_060_480);
    expect(fill('vae_decoder').parameters).toBe(49_490_199);
    const external = fill('unet').tensors.reduce((n, t) => n + t.dims.reduce((a, b) => a * b, 1), 0);
    expect(external / 859_520_964).toBeGreaterThan(0.999); // all but the norms' small vectors are external
  });
});
