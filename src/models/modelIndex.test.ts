// Registry and "any repo" validation: model_index.json checks, file plans from the Hub tree (sizes,
// LFS sha256, external weights), parsing what people type, and Hub URLs.

import { describe, expect, it } from 'vitest';
import { FAKE_MODEL_INDEX } from '../../scripts/mock-hub/fixture';
import { completeFromTree, planFiles, validateModelIndex, type TreeEntry } from './modelIndex';
import { downloadBytes, findModel, KNOWN_MODELS, SD15_FP16_EXTERNAL } from './registry';
import { fileUrl, parseModelRef, sourceKey, treeUrl } from './source';

const sha = 'c'.repeat(64);
const tree: TreeEntry[] = [
  { type: 'file', path: 'model_index.json', size: 500, oid: 'x' },
  { type: 'file', path: 'scheduler/scheduler_config.json', size: 300, oid: 'x' },
  { type: 'file', path: 'tokenizer/vocab.json', size: 1000, oid: 'x' },
  { type: 'file', path: 'tokenizer/merges.txt', size: 900, oid: 'x' },
  { type: 'directory', path: 'unet', size: 0, oid: 'x' },
  { type: 'file', path: 'unet/model.onnx', size: 134, oid: 'x', lfs: { oid: sha, size: 1_217_704, pointerSize: 134 } },
  { type: 'file', path: 'unet/weights.pb', size: 134, oid: 'x', lfs: { oid: sha, size: 1_718_976_000, pointerSize: 134 } },
  { type: 'file', path: 'unet/config.json', size: 50, oid: 'x' },
  { type: 'file', path: 'text_encoder/model.onnx', size: 134, oid: 'x', lfs: { oid: sha, size: 246_476_214, pointerSize: 134 } },
  { type: 'file', path: 'vae_decoder/model.onnx', size: 134, oid: 'x', lfs: { oid: sha, size: 99_094_195, pointerSize: 134 } },
];

describe('validateModelIndex', () => {
  it('accepts the diffusers ONNX layout', () => {
    const index = validateModelIndex(FAKE_MODEL_INDEX, 'x');
    expect(index).toMatchObject({ className: 'OnnxStableDiffusionPipeline', schedulerClass: 'PNDMScheduler' });
    expect(index.components.unet).toEqual(['diffusers', 'OnnxRuntimeModel']);
  });

  it('names the missing components, and tells a PyTorch pipeline apart', () => {
    const torch = { ...FAKE_MODEL_INDEX, _class_name: 'StableDiffusionPipeline', vae: ['diffusers', 'AutoencoderKL'], vae_decoder: undefined };
    expect(() => validateModelIndex(torch, 'o/r')).toThrow(/does not name vae_decoder.*PyTorch/);
    expect(() => validateModelIndex({ unet: ['diffusers', 'OnnxRuntimeModel'] }, 'o/r')).toThrow(/text_encoder, vae_decoder, tokenizer, scheduler/);
    expect(() => validateModelIndex([], 'o/r')).toThrow(/not a JSON object/);
  });

  it('rejects a non-ONNX UNet and a non-CLIP tokenizer', () => {
    expect(() => validateModelIndex({ ...FAKE_MODEL_INDEX, _class_name: 'StableDiffusionPipeline', unet: ['diffusers', 'UNet2DConditionModel'] }, 'o/r')).toThrow(/not an ONNX graph/);
    expect(() => validateModelIndex({ ...FAKE_MODEL_INDEX, tokenizer: ['transformers', 'T5Tokenizer'] }, 'o/r')).toThrow(/CLIP/);
  });
});

describe('planFiles', () => {
  it('takes sizes and LFS sha256 from the tree, adds the external weights, keeps present optional configs', () => {
    const plan = planFiles(tree, 'o/r');
    const byPath = Object.fromEntries(plan.map((f) => [f.path, f]));
    expect(byPath['unet/weights.pb']).toEqual({ path: 'unet/weights.pb', size: 1_718_976_000, sha256: sha });
    expect(byPath['tokenizer/vocab.json']).toEqual({ path: 'tokenizer/vocab.json', size: 1000 });
    expect(byPath['unet/config.json']).toMatchObject({ optional: true, size: 50 });
    expect(byPath['vae_decoder/config.json']).toBeUndefined();
    expect(downloadBytes(plan)).toEqual({ bytes: 500 + 300 + 1000 + 900 + 1_217_704 + 1_718_976_000 + 50 + 246_476_214 + 99_094_195, complete: true });
  });

  it('plans every component’s config and external data in each naming form, and the tokenizer.json form', () => {
    const sd: TreeEntry[] = [
      ...tree.filter((e) => !e.path.startsWith('tokenizer/')),
      { type: 'file', path: 'tokenizer/tokenizer.json', size: 2000, oid: 'x' },
      { type: 'file', path: 'text_encoder/model.onnx.data', size: 134, oid: 'x', lfs: { oid: sha, size: 400, pointerSize: 134 } },
      { type: 'file', path: 'text_encoder/config.json', size: 40, oid: 'x' },
      { type: 'file', path: 'vae_decoder/model.onnx_data', size: 134, oid: 'x', lfs: { oid: sha, size: 300, pointerSize: 134 } },
      { type: 'file', path: 'vae_decoder/config.json', size: 30, oid: 'x' },
      { type: 'file', path: 'unet/README.md', size: 10, oid: 'x' },
    ];
    const paths = planFiles(sd, 'o/r').map((f) => f.path);
    expect(paths).toEqual(expect.arrayContaining(['unet/config.json', 'vae_decoder/config.json', 'text_encoder/config.json', 'unet/weights.pb', 'text_encoder/model.onnx.data', 'vae_decoder/model.onnx_data', 'tokenizer/tokenizer.json']));
    expect(paths).not.toContain('tokenizer/vocab.json');
    expect(paths).not.toContain('unet/README.md');
    expect(() => planFiles(sd.filter((e) => e.path !== 'tokenizer/tokenizer.json'), 'o/r')).toThrow(/o\/r: tokenizer\/: .*no-tokenizer/);
  });

  it('a registry SD entry downloads the per-component configs and external data the tree has', () => {
    const extra: TreeEntry[] = [...tree, { type: 'file', path: 'vae_decoder/config.json', size: 30, oid: 'x' }, { type: 'file', path: 'text_encoder/model.onnx_data', size: 134, oid: 'x', lfs: { oid: sha, size: 5, pointerSize: 134 } }];
    const paths = completeFromTree(SD15_FP16_EXTERNAL.files, extra).map((f) => f.path);
    expect(paths).toEqual(expect.arrayContaining(['unet/config.json', 'vae_decoder/config.json', 'text_encoder/model.onnx_data', 'unet/weights.pb']));
    expect(paths).not.toContain('text_encoder/config.json'); // optional and not in the tree
  });

  it('fetches the VAE encoder (graph, external data, config) when the repo has one, for editing pictures', () => {
    const encoder: TreeEntry[] = [
      { type: 'file', path: 'vae_encoder/model.onnx', size: 134, oid: 'x', lfs: { oid: sha, size: 68_000_000, pointerSize: 134 } },
      { type: 'file', path: 'vae_encoder/model.onnx_data', size: 134, oid: 'x', lfs: { oid: sha, size: 70, pointerSize: 134 } },
      { type: 'file', path: 'vae_encoder/config.json', size: 30, oid: 'x' },
    ];
    const planned = planFiles([...tree, ...encoder], 'o/r').map((f) => f.path);
    expect(planned).toEqual(expect.arrayContaining(['vae_encoder/model.onnx', 'vae_encoder/model.onnx_data', 'vae_encoder/config.json']));
    const filled = completeFromTree(SD15_FP16_EXTERNAL.files, [...tree, ...encoder]).map((f) => f.path);
    expect(filled).toEqual(expect.arrayContaining(['vae_encoder/model.onnx', 'vae_encoder/model.onnx_data', 'vae_encoder/config.json']));
    // Without one nothing changes: the model generates and cannot take pictures.
    expect(planFiles(tree, 'o/r').some((f) => f.path.startsWith('vae_encoder/'))).toBe(false);
    expect(completeFromTree(SD15_FP16_EXTERNAL.files, tree).some((f) => f.path.startsWith('vae_encoder/'))).toBe(false);
  });

  it('names missing layout files, and spots PyTorch weights', () => {
    const torch: TreeEntry[] = [tree[0], { type: 'file', path: 'unet/diffusion_pytorch_model.safetensors', size: 1, oid: 'x' }];
    expect(() => planFiles(torch, 'o/r')).toThrow(/lacks .*unet\/model\.onnx.*PyTorch weights/);
  });

  it('fills a registry entry from the tree without overriding pinned values', () => {
    const filled = completeFromTree(SD15_FP16_EXTERNAL.files, tree);
    const weights = filled.find((f) => f.path === 'unet/weights.pb')!;
    expect(weights.sha256).toBe(SD15_FP16_EXTERNAL.files.find((f) => f.path === 'unet/weights.pb')!.sha256);
    expect(filled.find((f) => f.path === 'tokenizer/vocab.json')!.size).toBe(1000);
    expect(filled.some((f) => f.path === 'tokenizer/tokenizer_config.json')).toBe(false); // optional, absent
  });
});

describe('registry and sources', () => {
  it('has the embedded models and both SD 1.5 storage forms', () => {
    expect(KNOWN_MODELS.map((m) => m.id)).toEqual(['toy-emoji', 'toy-shapes', 'sd15-fp16-external', 'sd15-fp16-single']);
    expect(findModel('sd15-fp16-external')?.files.map((f) => f.path)).toContain('unet/weights.pb');
    expect(findModel('sd15-fp16-single')?.storage).toBe('single-file');
  });

  it('builds Hub resolve and tree URLs', () => {
    const src = SD15_FP16_EXTERNAL.source;
    expect(fileUrl(src, 'unet/weights.pb')).toBe('https://huggingface.co/nmkd/stable-diffusion-1.5-onnx-fp16/resolve/38dacf2c14c89e3538b5e32da888eb9c46e0e1bf/unet/weights.pb');
    expect(treeUrl({ kind: 'hub', repo: 'o/r', revision: 'main', endpoint: 'http://127.0.0.1:9/' })).toBe('http://127.0.0.1:9/api/models/o/r/tree/main?recursive=true');
    expect(fileUrl({ kind: 'url', baseUrl: 'https://example.org/m' }, 'model_index.json')).toBe('https://example.org/m/model_index.json');
  });

  it('parses repo ids, revisions and URLs; rejects the rest', () => {
    expect(parseModelRef(' o/r ')).toEqual({ kind: 'hub', repo: 'o/r', revision: 'main' });
    expect(parseModelRef('o/r@fp16')).toEqual({ kind: 'hub', repo: 'o/r', revision: 'fp16' });
    expect(parseModelRef('https://huggingface.co/o/r/tree/onnx')).toEqual({ kind: 'hub', repo: 'o/r', revision: 'onnx' });
    expect(parseModelRef('https://example.org/models/sd')).toEqual({ kind: 'url', baseUrl: 'https://example.org/models/sd/' });
    for (const bad of ['sd15', 'o/r/x', 'o--x/r', '../r', 'o/r@a@b', 'ftp://x/y']) expect(() => parseModelRef(bad)).toThrow(/neither a Hub repo id/);
    expect(sourceKey({ kind: 'hub', repo: 'o/r', revision: 'main' })).toBe('hub:o/r@main');
    expect(sourceKey({ kind: 'url', baseUrl: 'https://a.b/m', version: '3' })).toBe('url:https://a.b/m/#3');
  });
});
