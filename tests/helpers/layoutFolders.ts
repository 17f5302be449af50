/**
 * Model folders for the layout resolver's tests, written to temp dirs from real graphs: the toy model's, and
 * the exporter corpus's (tests/fixtures/exports/real-exporters) with their external data renamed to each form
 * exporters use (`model.onnx_data`, `model.onnx.data`, `weights.pb`). Weights files are zeros of the right size:
 * the resolver reads graph metadata only.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { decodeModel, encodeModel } from '../../src/onnx/proto';
import { externalizeWeights } from '../../src/onnx/externalWeights';
import { EXPORTS_DIR } from './exportCorpus';
import { TOY_MODEL_DIR } from './toyModel';

function write(dir: string, path: string, data: string | Uint8Array): void {
  mkdirSync(dirname(join(dir, path)), { recursive: true });
  writeFileSync(join(dir, path), data);
}

/** A corpus graph with its external data renamed to `location`, and a zero-filled weights file of that name. */
export function corpusGraph(name: string, location: string): { graph: Uint8Array; weights: Uint8Array } {
  const model = decodeModel(new Uint8Array(gunzipSync(readFileSync(join(EXPORTS_DIR, name, 'model.onnx.gz')))));
  for (const init of model.graph!.initializer!) for (const e of init.externalData ?? []) if (e.key === 'location') e.value = location;
  const { size } = JSON.parse(readFileSync(join(EXPORTS_DIR, name, 'fill.json'), 'utf8')) as { size: number };
  return { graph: encodeModel(model), weights: new Uint8Array(size) };
}

/** The toy VAE decoder with its weights moved to `weights.pb` (the diffusers conversion's form). */
export function toyVaeExternal(): { graph: Uint8Array; weights: Uint8Array } {
  const { model, weights } = externalizeWeights(decodeModel(new Uint8Array(readFileSync(join(TOY_MODEL_DIR, 'vae_decoder/model.onnx')))), 'weights.pb');
  return { graph: model, weights };
}

export interface SdFolderOptions {
  /** vae_decoder/config.json, or null for none. Default: SD 1.x's four levels, no sample_size. */
  vaeConfig?: Record<string, unknown> | null;
  unetConfig?: Record<string, unknown>;
  tokenizer?: 'vocab+merges' | 'tokenizer.json' | 'none';
}

/**
 * An SD-shaped folder without unet/config.json: the corpus CLIP text encoder (`model.onnx.data`), the corpus fp16
 * UNet with symbolic height/width (`model.onnx_data`), the toy VAE decoder (`weights.pb`), the toy tokenizer and scheduler.
 */
export function sdShapedFolder(opts: SdFolderOptions = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'p2p-layout-'));
  const text = corpusGraph('clip-text-encoder', 'model.onnx.data');
  write(dir, 'text_encoder/model.onnx', text.graph);
  write(dir, 'text_encoder/model.onnx.data', text.weights);
  const unet = corpusGraph('sdpa-ts-op14-fp16-onnx_data', 'model.onnx_data');
  write(dir, 'unet/model.onnx', unet.graph);
  write(dir, 'unet/model.onnx_data', unet.weights);
  const vae = toyVaeExternal();
  write(dir, 'vae_decoder/model.onnx', vae.graph);
  write(dir, 'vae_decoder/weights.pb', vae.weights);
  const vaeConfig = opts.vaeConfig === undefined ? { block_out_channels: [128, 256, 512, 512], latent_channels: 4, scaling_factor: 0.18215 } : opts.vaeConfig;
  if (vaeConfig) write(dir, 'vae_decoder/config.json', JSON.stringify(vaeConfig));
  if (opts.unetConfig) write(dir, 'unet/config.json', JSON.stringify(opts.unetConfig));
  cpSync(join(TOY_MODEL_DIR, 'scheduler'), join(dir, 'scheduler'), { recursive: true });
  cpSync(join(TOY_MODEL_DIR, 'model_index.json'), join(dir, 'model_index.json'));
  const tokenizer = opts.tokenizer ?? 'vocab+merges';
  const files = tokenizer === 'vocab+merges' ? ['vocab.json', 'merges.txt'] : tokenizer === 'tokenizer.json' ? ['tokenizer.json'] : [];
  for (const f of [...files, ...(tokenizer === 'none' ? [] : ['tokenizer_config.json'])]) cpSync(join(TOY_MODEL_DIR, 'tokenizer', f), join(dir, 'tokenizer', f));
  return dir;
}

/** The toy model copied, with `edit` applied to the copy (files to replace or delete by path). */
export function toyCopy(edit: Record<string, string | Uint8Array | null> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'p2p-toy-'));
  cpSync(TOY_MODEL_DIR, dir, { recursive: true });
  for (const [path, data] of Object.entries(edit)) {
    if (data === null) rmSync(join(dir, path));
    else write(dir, path, data);
  }
  return dir;
}
