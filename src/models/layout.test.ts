/**
 * The model-layout resolver against real files: the embedded toy model (fp32, single-file), an SD-shaped folder
 * of exporter-corpus graphs (fp16 UNet with model.onnx_data, CLIP text encoder with model.onnx.data, VAE with
 * weights.pb, no unet/config.json), read from a listing and from a reader that cannot list; tokenizer forms; and
 * each unsupported pattern as a LayoutError naming model, file and pattern.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sdShapedFolder, toyCopy } from '../../tests/helpers/layoutFolders';
import { TOY_MODEL_DIR } from '../../tests/helpers/toyModel';
import { decodeModel, encodeModel } from '../onnx/proto';
import { dirLayoutReader } from '../runtime/nodeLayoutReader';
import { LayoutError, type LayoutPattern } from './errors';
import { resolveLayout, type LayoutReader } from './layout';
import { planLayout } from './layoutPlan';

const made: string[] = [];
const folder = (dir: string) => (made.push(dir), dir);
afterAll(() => made.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** The same folder read like a web folder: no listing, absent files answered `undefined`. */
function unlisted(dir: string, model: string): LayoutReader {
  const r = dirLayoutReader(dir, model);
  return { ...r, list: async () => undefined };
}

async function layoutError(reader: LayoutReader): Promise<LayoutError> {
  const err = await resolveLayout(reader).then(() => undefined, (e: unknown) => e);
  if (!(err instanceof LayoutError)) throw new Error(`expected a LayoutError, got ${String(err)}`);
  return err;
}

function expectLayoutError(err: LayoutError, model: string, file: string, pattern: LayoutPattern): void {
  expect(err).toMatchObject({ code: 'invalid-model', model, file, pattern });
  for (const part of [model, file, pattern]) expect(err.message).toContain(part);
}

describe('resolveLayout: the embedded toy model (fp32, single-file graphs)', () => {
  it('reads latent size from the static sample dims, the VAE factor from its config, precision from element types', async () => {
    const layout = await resolveLayout(dirLayoutReader(TOY_MODEL_DIR, 'toy'));
    expect(layout).toMatchObject({ latentSize: [16, 16], latentSource: 'unet/model.onnx', vaeFactor: 2, imageSize: [32, 32], precision: 'fp32' });
    expect(layout.tokenizer).toEqual({ form: 'tokenizer.json', files: ['tokenizer/tokenizer.json', 'tokenizer/tokenizer_config.json'] });
    for (const g of Object.values(layout.graphs)) {
      expect(g.precision).toBe('fp32');
      expect(g.externalData).toEqual([]);
      // Only the batch is symbolic in the toy graphs, and the batch is never fixed.
      expect(g.freeDimensionOverrides).toEqual({});
    }
    expect(layout.graphs.unet.weightTypes).toEqual({ float32: 1687652 });
    expect(layout.scalingFactor).toBeCloseTo(1.131040334701538, 12);
    expect(layout.p2p?.mapResolution).toBe(JSON.parse(readFileSync(join(TOY_MODEL_DIR, 'p2p.json'), 'utf8')).mapResolution);
    expect(layout.index?.schedulerClass).toBe('PNDMScheduler');
  });

  it('resolves the same without a listing (a web folder)', async () => {
    const listed = await resolveLayout(dirLayoutReader(TOY_MODEL_DIR, 'toy'));
    expect(await resolveLayout(unlisted(TOY_MODEL_DIR, 'toy'))).toEqual(listed);
  });
});

describe('resolveLayout: an SD-shaped folder of real exporter graphs, no unet/config.json', () => {
  const dir = folder(sdShapedFolder());

  it('plans every component’s external data in all three naming forms from the listing', async () => {
    const paths = await dirLayoutReader(dir).list();
    const plan = planLayout(paths!, 'sd');
    expect(plan.externalData).toEqual({ text_encoder: ['text_encoder/model.onnx.data'], unet: ['unet/model.onnx_data'], vae_decoder: ['vae_decoder/weights.pb'] });
    expect(plan.files).toEqual(expect.arrayContaining(['vae_decoder/config.json', 'tokenizer/vocab.json', 'tokenizer/merges.txt', 'unet/model.onnx_data']));
    expect(plan.tokenizer.form).toBe('vocab+merges');
  });

  it('takes the latent size from the VAE factor, precision per graph, overrides for the symbolic dims', async () => {
    for (const reader of [dirLayoutReader(dir, 'sd'), unlisted(dir, 'sd')]) {
      const layout = await resolveLayout(reader);
      expect(layout).toMatchObject({ latentSize: [64, 64], latentSource: 'vae_decoder/config.json', vaeFactor: 8, imageSize: [512, 512], precision: 'fp16' });
      expect(layout.graphs.unet).toMatchObject({ precision: 'fp16', externalData: ['unet/model.onnx_data'], freeDimensionOverrides: { height: 64, width: 64 } });
      expect(layout.graphs.unet.weightTypes).toEqual({ float16: 4482084 });
      expect(layout.graphs.text_encoder).toMatchObject({ precision: 'fp32', externalData: ['text_encoder/model.onnx.data'], freeDimensionOverrides: { sequence: 77 } });
      expect(layout.graphs.vae_decoder).toMatchObject({ precision: 'fp32', externalData: ['vae_decoder/weights.pb'] });
      expect(layout.tokenizer.form).toBe('vocab+merges');
      expect(layout.scalingFactor).toBe(0.18215);
    }
  });

  it('prefers unet/config.json sample_size over the VAE, and the VAE’s sample_size over 512 px', async () => {
    const withUnet = folder(sdShapedFolder({ unetConfig: { sample_size: [48, 32], in_channels: 4 } }));
    expect(await resolveLayout(dirLayoutReader(withUnet))).toMatchObject({ latentSize: [48, 32], latentSource: 'unet/config.json', imageSize: [384, 256] });
    const sd2 = folder(sdShapedFolder({ vaeConfig: { block_out_channels: [128, 256, 512, 512], sample_size: 768 } }));
    expect(await resolveLayout(dirLayoutReader(sd2))).toMatchObject({ latentSize: [96, 96], imageSize: [768, 768] });
  });

  it('without any config, counts the VAE decoder graph’s upsamplers', async () => {
    const bare = folder(sdShapedFolder({ vaeConfig: null }));
    // The toy VAE decoder upsamples once (one Resize): factor 2, so 512 px is a 256 latent.
    expect(await resolveLayout(dirLayoutReader(bare))).toMatchObject({ latentSize: [256, 256], latentSource: 'vae_decoder/model.onnx', vaeFactor: 2 });
  });

  it('reads tokenizer.json alone', async () => {
    const single = folder(sdShapedFolder({ tokenizer: 'tokenizer.json' }));
    expect((await resolveLayout(dirLayoutReader(single))).tokenizer).toEqual({ form: 'tokenizer.json', files: ['tokenizer/tokenizer.json', 'tokenizer/tokenizer_config.json'] });
    expect((await resolveLayout(unlisted(single, 'x'))).tokenizer.form).toBe('tokenizer.json');
  });

  it('asks a folder that cannot list only for the tokenizer files of its form (offline, any other request fails)', async () => {
    const asked: string[] = [];
    const r = unlisted(folder(sdShapedFolder({ tokenizer: 'vocab+merges' })), 'x');
    const text = r.text;
    const offline: LayoutReader = { ...r, text: async (path) => (asked.push(path), text(path)) };
    expect((await resolveLayout(offline)).tokenizer.form).toBe('vocab+merges');
    expect(asked.filter((p) => p.startsWith('tokenizer/'))).not.toContain('tokenizer/vocab.txt');
  });
});

describe('resolveLayout: unsupported patterns are LayoutErrors naming model, file and pattern', () => {
  it('no tokenizer in either form', async () => {
    const dir = folder(sdShapedFolder({ tokenizer: 'none' }));
    for (const reader of [dirLayoutReader(dir, 'm'), unlisted(dir, 'm')]) expectLayoutError(await layoutError(reader), 'm', 'tokenizer/', 'no-tokenizer');
  });

  it('external data a graph names but the folder lacks, or outside the folder', async () => {
    const dir = folder(sdShapedFolder());
    rmSync(join(dir, 'unet/model.onnx_data'));
    expectLayoutError(await layoutError(dirLayoutReader(dir, 'm')), 'm', 'unet/model.onnx_data', 'missing-external-data');
    const model = decodeModel(new Uint8Array(readFileSync(join(TOY_MODEL_DIR, 'vae_decoder/model.onnx'))));
    const big = model.graph!.initializer!.find((i) => (i.rawData?.byteLength ?? 0) > 1024)!;
    big.externalData = [{ key: 'location', value: '../weights.bin' }];
    big.dataLocation = 1;
    const outside = folder(toyCopy({ 'vae_decoder/model.onnx': encodeModel(model) }));
    expectLayoutError(await layoutError(dirLayoutReader(outside, 'm')), 'm', 'vae_decoder/model.onnx', 'external-data-path');
  });

  it('a UNet sample of a type the engine cannot feed', async () => {
    const model = decodeModel(new Uint8Array(readFileSync(join(TOY_MODEL_DIR, 'unet/model.onnx'))));
    model.graph!.input!.find((i) => i.name === 'sample')!.type!.tensorType!.elemType = 16; // bfloat16
    const dir = folder(toyCopy({ 'unet/model.onnx': encodeModel(model) }));
    const err = await layoutError(dirLayoutReader(dir, 'm'));
    expectLayoutError(err, 'm', 'unet/model.onnx', 'unsupported-element-type');
    expect(err.message).toContain('input sample is bfloat16');
  });

  it('no latent size anywhere, a malformed sample_size, an unreadable graph', async () => {
    const vae = decodeModel(new Uint8Array(readFileSync(join(TOY_MODEL_DIR, 'vae_decoder/model.onnx'))));
    for (const node of vae.graph!.node!) if (node.opType === 'Resize') node.opType = 'Identity';
    const dir = folder(sdShapedFolder({ vaeConfig: null }));
    writeFileSync(join(dir, 'vae_decoder/model.onnx'), encodeModel(vae));
    expectLayoutError(await layoutError(dirLayoutReader(dir, 'm')), 'm', 'unet/config.json', 'unknown-latent-size');
    const bad = folder(sdShapedFolder({ unetConfig: { sample_size: 'big' } }));
    expectLayoutError(await layoutError(dirLayoutReader(bad, 'm')), 'm', 'unet/config.json', 'bad-config');
    const garbage = folder(toyCopy({ 'text_encoder/model.onnx': new TextEncoder().encode('<html>not found</html>') }));
    expectLayoutError(await layoutError(dirLayoutReader(garbage, 'm')), 'm', 'text_encoder/model.onnx', 'unreadable-graph');
  });

  it('PyTorch weights, a missing graph, a PyTorch model_index.json', async () => {
    const torch = ['model_index.json', 'scheduler/scheduler_config.json', 'unet/diffusion_pytorch_model.safetensors'];
    expect(() => planLayout(torch, 'o/r')).toThrow(LayoutError);
    expect(() => planLayout(torch, 'o/r')).toThrow(/o\/r: text_encoder\/model\.onnx: missing .*PyTorch weights .*pytorch-weights/);
    const noVae = folder(toyCopy({ 'vae_decoder/model.onnx': null }));
    for (const reader of [dirLayoutReader(noVae, 'm')]) expectLayoutError(await layoutError(reader), 'm', 'vae_decoder/model.onnx', 'missing-graph');
    const index = JSON.parse(readFileSync(join(TOY_MODEL_DIR, 'model_index.json'), 'utf8')) as Record<string, unknown>;
    const pipeline = folder(toyCopy({ 'model_index.json': JSON.stringify({ ...index, _class_name: 'StableDiffusionPipeline', unet: ['diffusers', 'UNet2DConditionModel'] }) }));
    expectLayoutError(await layoutError(dirLayoutReader(pipeline, 'm')), 'm', 'model_index.json', 'model-index');
  });
});
