/**
 * `npm run random-sd --scale mini`: the written folder resolves like a Hub SD 1.x export (latent size from
 * unet/config.json, external data for all three graphs, the vocab.json + merges.txt tokenizer), loads on
 * onnxruntime-node with the UNet instrumented, and runs a 2-step swap edit. The same seed written with an fp16 UNet
 * gives the fp32 images within fp16 precision; the skeletons hold SD 1.5's exact parameter counts.
 * `--pipeline ldm`: CompVis' LDM text2im layout (LDM-BERT with int64 ids, WordPiece vocab.txt, DDIM) resolves,
 * tokenises as BERT, and `npm run generate` edits with it end to end.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate, type GenerateResult } from '../../src/diffusion';
import { resolveLayout } from '../../src/models/layout';
import { readGraphInfo } from '../../src/onnx/graphInfo';
import { loadPromptTokenizer } from '../../src/text';
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

  it('fuses every unedited self-attention layer (√scale split over Q and Kᵀ) and the edit keeps its latents', async () => {
    const fused = await loadNodeModel(dir32, { instrument: true, threads: 2, instrumentOptions: { fuseUnedited: true } });
    try {
      const report = fused.instrumentReport!;
      const unedited = report.layers.filter((l) => !l.edited);
      expect(unedited.length).toBeGreaterThan(0);
      expect(report.layers.filter((l) => l.fusedKernel).map((l) => l.name)).toEqual(unedited.map((l) => l.name));
      const out = await generate(fused, request);
      let worst = 0;
      let scale = 0;
      for (let k = 0; k < out.latents.length; k++) {
        worst = Math.max(worst, Math.abs(out.latents[k] - edited32.latents[k]));
        scale = Math.max(scale, Math.abs(edited32.latents[k]));
      }
      expect(worst / scale).toBeLessThan(1e-4);
    } finally {
      await fused.dispose();
    }
  }, 120_000);
});

describe('random-sd ldm mini (LDM text2im shape)', () => {
  let dir: string;
  let ldm: NodeModel;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'random-ldm-mini-'));
    writeRandomSd({ scale: 'mini', pipeline: 'ldm', out: dir });
    ldm = await loadNodeModel(dir, { instrument: true, threads: 2 });
  }, 120_000);
  afterAll(async () => {
    await ldm?.dispose();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('resolves: WordPiece vocab.txt, int64 input_ids, one text output, 32x32 latents, DDIM', async () => {
    const layout = await resolveLayout(dirLayoutReader(dir));
    expect(layout.tokenizer.form).toBe('wordpiece');
    expect(layout.latentSize).toEqual([32, 32]);
    expect(layout.graphs.text_encoder.inputs.find((i) => i.name === 'input_ids')?.elemType).toBe(7); // INT64
    expect(readGraphInfo(readFileSync(join(dir, 'text_encoder/model.onnx'))).outputs.map((o) => o.name)).toEqual(['last_hidden_state']);
    expect((ldm.schedulerConfig as { _class_name?: string })._class_name).toBe('DDIMScheduler');
    expect(ldm.backend.capabilities.hiddenSize).toBe(64);
  });

  it('tokenises as BERT: [CLS] … [SEP], [PAD] after, letters as ## pieces for words outside the vocabulary', async () => {
    const tok = await loadPromptTokenizer(join(dir, 'tokenizer'));
    expect(tok.kind).toBe('wordpiece');
    const pieces = (text: string) => tok.encode(text).map((id) => tok.decode([id]));
    expect(pieces('A cat riding a bicycle')).toEqual(['[CLS]', 'a', 'cat', 'riding', 'a', 'bicycle', '[SEP]']);
    expect(pieces('a zebra')).toEqual(['[CLS]', 'a', 'z', '##e', '##b', '##r', '##a', '[SEP]']);
    expect(tok.padded('').slice(0, 3)).toEqual([101, 102, 0]);
  });

  it('edits with its own scheduler (DDIM): the source image is the unedited generation of its prompt', async () => {
    const req = { prompts, seed: 5, steps: 3, guidance: 5, edit: { kind: 'replace' as const, crossReplaceSteps: 0.8, selfReplaceSteps: 0.4 } };
    const edited = await generate(ldm, req);
    expect(edited.timesteps).toHaveLength(3); // DDIM: one call per step (PNDM would make 4)
    expect(edited.attention?.resolution).toBe(8);
    const plain = await generate(ldm, { ...req, prompts: [prompts[0]], edit: undefined });
    expect(Array.from(plain.images[0])).toEqual(Array.from(edited.images[0]));
    expect(Array.from(edited.images[1])).not.toEqual(Array.from(edited.images[0]));
  }, 120_000);

  it('`npm run generate -- --model DIR --prompt … --edit … --steps 2` writes the images', () => {
    const out = join(dir, 'out');
    const r = spawnSync('npx', ['tsx', 'scripts/generate.ts', '--model', dir, '--prompt', prompts[0], '--edit', prompts[1], '--steps', '2', '--out', out], { encoding: 'utf8', timeout: 120_000 });
    expect(r.status, r.stderr).toBe(0);
    for (const f of ['0-a-cat-riding-a-bicycle.png', '1-a-dog-riding-a-bicycle.png', 'attention.png', 'timings.json']) expect(existsSync(join(out, f))).toBe(true);
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
