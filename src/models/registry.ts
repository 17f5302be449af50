// The models the studio knows: Hub repo and revision, the files to fetch (diffusers ONNX layout), their
// sizes and sha256 where known, precision, and what a device needs to run them. See docs/models.md.

import type { ModelSource } from './source';

export type Precision = 'fp16' | 'fp32';
/** 'external-weights': unet/model.onnx is a small graph, weights in unet/weights.pb; 'single-file': weights embedded. */
export type WeightStorage = 'external-weights' | 'single-file';

export interface ModelFileSpec {
  /** Path inside the model folder, `/`-separated. */
  path: string;
  /** Exact byte size when known (checked after download). */
  size?: number;
  /** Hex sha256 (the Git LFS oid) when known (checked after download). */
  sha256?: string;
  /** A 404 is not an error (e.g. per-folder config.json files that not every export has). */
  optional?: boolean;
}

export interface ModelRequirements {
  /** fp16 graphs need the WebGPU `shader-f16` feature. */
  shaderF16: boolean;
  /** Latent side at the default image size (SD 1.x at 512 px: 64). */
  latentSize: number;
  /** Heads of the highest-resolution self-attention (SD 1.x: 8). Its scores are the largest activation. */
  heads: number;
  /** Bytes of the largest weight tensor (SD 1.x: the text encoder's 49408×768 token embedding). */
  largestWeightBytes: number;
  /** Bytes of all weights held on the device while generating (text encoder + UNet + VAE decoder). */
  weightBytes: number;
}

export interface ModelEntry {
  id: string;
  label: string;
  source: ModelSource;
  precision: Precision;
  storage: WeightStorage;
  files: ModelFileSpec[];
  requirements: ModelRequirements;
  /** What about this entry was checked against published file lists, and what was not (docs/models.md). */
  provenance: string;
}

/** Files every diffusers ONNX Stable Diffusion export has besides its graphs. */
export const LAYOUT_FILES: ModelFileSpec[] = [
  { path: 'model_index.json' },
  { path: 'scheduler/scheduler_config.json' },
  { path: 'tokenizer/vocab.json' },
  { path: 'tokenizer/merges.txt' },
  { path: 'tokenizer/tokenizer_config.json', optional: true },
];

/**
 * Per-component configs the loader reads when present (latent size, VAE factor and scaling, channels, P2P
 * defaults; src/models/layout.ts), and the single-file tokenizer form.
 */
export const OPTIONAL_CONFIGS: ModelFileSpec[] = [
  { path: 'unet/config.json', optional: true },
  { path: 'vae_decoder/config.json', optional: true },
  { path: 'text_encoder/config.json', optional: true },
  { path: 'p2p.json', optional: true },
  { path: 'tokenizer/tokenizer.json', optional: true },
];

export const GRAPH_FILES = { textEncoder: 'text_encoder/model.onnx', unet: 'unet/model.onnx', vaeDecoder: 'vae_decoder/model.onnx' } as const;

const MB = 1_000_000;
/** SD 1.x CLIP token embedding, 49408 × 768 elements. */
const SD1_TOKEN_EMBEDDING = 49408 * 768;

/**
 * What identifies an embedded model's files in a share link (it has no Hub revision): `sha256:` and the first 16
 * hex digits of its public/models/<id>/unet/model.onnx. A re-export changes it (registry.test.ts checks it against
 * the file), so an old link opened after a re-export says the images may differ.
 */
export const EMBEDDED_REVISIONS: Readonly<Record<string, string>> = {
  'toy-shapes': 'sha256:83d8bf2b69758e27',
  'toy-emoji': 'sha256:d8383748a31d88a0',
};

/**
 * A model this app serves from public/models/<id>/, written by one of tools/toy-model's exporters in the diffusers
 * ONNX layout: fp32, single-file graphs, ≤ 25 MB of them (the exporter asserts it), so it runs on any device.
 */
function embeddedEntry(id: string, label: string, exporter: string): ModelEntry {
  return {
    id,
    label,
    source: { kind: 'url', baseUrl: `models/${id}/` },
    precision: 'fp32',
    storage: 'single-file',
    files: [...LAYOUT_FILES, ...OPTIONAL_CONFIGS, { path: GRAPH_FILES.textEncoder }, { path: GRAPH_FILES.unet }, { path: GRAPH_FILES.vaeDecoder }],
    // Estimates from the exporters' budget (the largest weight of either model is under 1 MB).
    requirements: { shaderF16: false, latentSize: 16, heads: 4, largestWeightBytes: 4 * MB, weightBytes: 25 * MB },
    provenance: `served by this app from public/models/${id} (tools/toy-model/${exporter} writes that layout)`,
  };
}

export const TOY_MODEL: ModelEntry = embeddedEntry('toy-shapes', 'Toy shapes (embedded, ~25 MB, any device)', 'export.py');

/**
 * The 64-px emoji world (issue #20), the app's default: the homework notebook's animals, food and things, drawn
 * from Noto emoji sprites (Apache-2.0); tools/toy-model/REPORT-emoji.md has its measured quality.
 */
export const TOY_EMOJI_MODEL: ModelEntry = embeddedEntry('toy-emoji', 'Emoji, 64 px (embedded, ~25 MB, any device)', 'export_emoji.py');

/** The models served by this app itself: no download, no cache, run on any device. */
export const EMBEDDED_MODELS: readonly ModelEntry[] = [TOY_EMOJI_MODEL, TOY_MODEL];

/**
 * The embedded models shipped without a VAE encoder (vae_encoder/), so they cannot take a picture to edit: the
 * emoji model's 25 MB budget holds its UNet, text encoder and decoder only (registry.test checks the folders).
 */
export const EMBEDDED_WITHOUT_ENCODER: ReadonlySet<string> = new Set(['toy-emoji']);

export function isEmbeddedModel(id: string): boolean {
  return EMBEDDED_MODELS.some((m) => m.id === id);
}

export const SD15_FP16_EXTERNAL: ModelEntry = {
  id: 'sd15-fp16-external',
  label: 'Stable Diffusion 1.5, fp16, external weights (nmkd, ~2.1 GB)',
  source: { kind: 'hub', repo: 'nmkd/stable-diffusion-1.5-onnx-fp16', revision: '38dacf2c14c89e3538b5e32da888eb9c46e0e1bf' },
  precision: 'fp16',
  storage: 'external-weights',
  files: [
    ...LAYOUT_FILES,
    ...OPTIONAL_CONFIGS,
    { path: GRAPH_FILES.textEncoder, size: 246476214, sha256: 'da837d5d2df136df347d0e8d7114d295d634d32b37b77be60418a7117d1f669b' },
    { path: GRAPH_FILES.unet, size: 1217704, sha256: '879e4274bfc862c7733ed2b673600be8f9b78b45184b5702100f89508e69ca34' },
    { path: 'unet/weights.pb', size: 1718976000, sha256: '491609db06ac0bd6893969cda4caa3475a9a14a7deb5ee4f11a4371c6187155a' },
    { path: GRAPH_FILES.vaeDecoder, size: 99094195, sha256: 'ff78d16a387ece4e102e2548a8dbd93f048269bc23ac65fac3acff0ba88b6161' },
  ],
  requirements: {
    shaderF16: true,
    latentSize: 64,
    heads: 8,
    largestWeightBytes: SD1_TOKEN_EMBEDDING * 2,
    weightBytes: 246476214 + 1718976000 + 99094195,
  },
  provenance:
    'revision, graph sizes and sha256 from a third-party download record of this revision (secondary source); ' +
    'tokenizer/scheduler/model_index files assumed from the diffusers ONNX layout, sizes unknown',
};

export const SD15_FP16_SINGLE: ModelEntry = {
  id: 'sd15-fp16-single',
  label: 'Stable Diffusion 1.5 base, fp16, single-file UNet (jdp8, ~2.6 GB)',
  source: { kind: 'hub', repo: 'jdp8/stable-diffusion-1-5-base-onnx', revision: 'main' },
  precision: 'fp16',
  storage: 'single-file',
  files: [...LAYOUT_FILES, ...OPTIONAL_CONFIGS, { path: GRAPH_FILES.textEncoder }, { path: GRAPH_FILES.unet }, { path: GRAPH_FILES.vaeDecoder }],
  requirements: {
    shaderF16: true,
    latentSize: 64,
    heads: 8,
    largestWeightBytes: SD1_TOKEN_EMBEDDING * 2,
    // The same SD 1.5 weights in fp16 as the nmkd export (estimate; sizes come from the tree API at download time).
    weightBytes: 246476214 + 1718976000 + 99094195,
  },
  provenance:
    'not verified: the repo is not in the searchable index; its layout is inferred from the same author’s canny ' +
    'export listed for diffusers.js (single-file fp16 UNet). Pinned to main because no commit could be read; sizes ' +
    'and sha256 are taken from the Hub tree API at download time',
};

export const KNOWN_MODELS: readonly ModelEntry[] = [...EMBEDDED_MODELS, SD15_FP16_EXTERNAL, SD15_FP16_SINGLE];

export function findModel(id: string): ModelEntry | undefined {
  return KNOWN_MODELS.find((m) => m.id === id);
}

/** Bytes to download: the sum of the known sizes, and whether every required file's size is known. */
export function downloadBytes(files: readonly ModelFileSpec[]): { bytes: number; complete: boolean } {
  let bytes = 0;
  let complete = true;
  for (const f of files) {
    if (f.size !== undefined) bytes += f.size;
    else if (!f.optional) complete = false;
  }
  return { bytes, complete };
}
