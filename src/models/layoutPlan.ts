// Which files make a diffusers ONNX model folder, from a file listing alone (the Hub tree, the cache's
// manifest, a directory): the three graphs (and the optional VAE encoder), every component's external data in its
// three naming forms,
// the per-component configs, and the tokenizer form. The download planner uses it as is; `resolveLayout`
// (layout.ts) adds what only the files themselves say. Pure: no DOM, no ORT, no graph decoding.

import { LayoutError } from './errors';

export const GRAPH_COMPONENTS = ['text_encoder', 'unet', 'vae_decoder'] as const;
export type GraphComponentName = (typeof GRAPH_COMPONENTS)[number];

export const GRAPH_PATH: Record<GraphComponentName, string> = {
  text_encoder: 'text_encoder/model.onnx',
  unet: 'unet/model.onnx',
  vae_decoder: 'vae_decoder/model.onnx',
};

/**
 * The VAE encoder: optional (only editing a picture needs it). When a folder has it, it is fetched with the rest
 * (SD's is about 3 % of the download), so a downloaded model can take pictures offline too.
 */
export const ENCODER = { component: 'vae_encoder', graph: 'vae_encoder/model.onnx', config: 'vae_encoder/config.json' } as const;

export const SCHEDULER_CONFIG = 'scheduler/scheduler_config.json';
export const MODEL_INDEX = 'model_index.json';

/** Configs read when present: latent size, VAE factor and scaling, channels, P2P defaults. */
export const COMPONENT_CONFIGS = ['unet/config.json', 'vae_decoder/config.json', 'text_encoder/config.json', 'p2p.json'] as const;

export const TOKENIZER_FILES = {
  json: 'tokenizer/tokenizer.json',
  vocab: 'tokenizer/vocab.json',
  merges: 'tokenizer/merges.txt',
  wordPiece: 'tokenizer/vocab.txt',
  config: 'tokenizer/tokenizer_config.json',
} as const;

/**
 * `tokenizer.json` alone (it carries vocab and merges), the classic CLIP `vocab.json` + `merges.txt`, or BERT's
 * WordPiece `vocab.txt` (LDM text2im).
 */
export type TokenizerForm = 'tokenizer.json' | 'vocab+merges' | 'wordpiece';

/** What a folder without a tokenizer is told it lacks. */
export const NO_TOKENIZER = 'has no tokenizer.json, vocab.json + merges.txt (CLIP BPE) or vocab.txt (BERT WordPiece)';

export interface TokenizerLayout {
  form: TokenizerForm;
  /** The files the form reads (tokenizer_config.json included when present). */
  files: string[];
}

/**
 * An external-data file by its name, in the forms exporters write: `weights.pb` (diffusers' ONNX
 * conversion), `model.onnx_data` / `*.onnx_data` (torch.onnx, optimum), `*.onnx.data` (onnxruntime tools).
 */
export function isExternalDataName(name: string): boolean {
  return name === 'weights.pb' || name.endsWith('.onnx_data') || name.endsWith('.onnx.data');
}

const TORCH_WEIGHTS = /\.(safetensors|bin|ckpt|pt)$/;

export interface LayoutPlan {
  graphs: Record<GraphComponentName, string>;
  /** External-data files per component, found by name beside the graph (the graph may name more). */
  externalData: Record<GraphComponentName, string[]>;
  /** Present configs among COMPONENT_CONFIGS, plus model_index.json and the scheduler config. */
  configs: string[];
  /** The VAE encoder's graph, its external data and its config, when the folder has the graph. */
  encoder?: string[];
  tokenizer: TokenizerLayout;
  /** Everything above: the files to fetch. */
  files: string[];
}

/** The tokenizer forms in the order they are preferred, each with the files it needs (as src/text/tokenizerFiles.ts reads them). */
export const TOKENIZER_FORM_FILES: readonly { form: TokenizerForm; files: readonly string[] }[] = [
  { form: 'tokenizer.json', files: [TOKENIZER_FILES.json] },
  { form: 'vocab+merges', files: [TOKENIZER_FILES.vocab, TOKENIZER_FILES.merges] },
  { form: 'wordpiece', files: [TOKENIZER_FILES.wordPiece] },
];

/** The first tokenizer form whose files are all present (`only` limits the forms looked at), or undefined. */
export function tokenizerLayout(has: (path: string) => boolean, only = TOKENIZER_FORM_FILES): TokenizerLayout | undefined {
  const config = has(TOKENIZER_FILES.config) ? [TOKENIZER_FILES.config] : [];
  const found = only.find((f) => f.files.every(has));
  return found ? { form: found.form, files: [...found.files, ...config] } : undefined;
}

/** The external-data files in a component's folder (directly beside its graph, or in a sub-folder of it). */
export function externalDataInListing(paths: readonly string[], component: GraphComponentName | typeof ENCODER.component): string[] {
  const dir = `${component}/`;
  return paths.filter((p) => p.startsWith(dir) && isExternalDataName(p.slice(p.lastIndexOf('/') + 1)));
}

/**
 * The plan for a listed folder; a LayoutError naming `model`, the file and the pattern when a graph, the
 * scheduler config or any tokenizer form is missing (PyTorch weights where a graph should be are told apart).
 */
export function planLayout(paths: readonly string[], model: string): LayoutPlan {
  const has = new Set(paths);
  // Checked in the order the resolver reads a folder it cannot list (scheduler config first), so Node and the
  // browser name the same file; PyTorch weights where graphs should be are told apart first.
  const missing = GRAPH_COMPONENTS.map((c) => GRAPH_PATH[c]).filter((p) => !has.has(p));
  const lacks = `missing${missing.length > 1 ? ` (the folder lacks ${missing.join(', ')})` : ''}`;
  const torch = paths.find((p) => TORCH_WEIGHTS.test(p));
  if (missing.length > 0 && torch) throw new LayoutError(model, missing[0], 'pytorch-weights', `${lacks}; the folder has PyTorch weights (${torch}), not an ONNX export`);
  if (!has.has(SCHEDULER_CONFIG)) throw new LayoutError(model, SCHEDULER_CONFIG, 'missing-file', 'missing');
  if (missing.length > 0) throw new LayoutError(model, missing[0], 'missing-graph', `${lacks}; a diffusers ONNX export has text_encoder/, unet/ and vae_decoder/ graphs`);
  const tokenizer = tokenizerLayout((p) => has.has(p));
  if (!tokenizer) throw new LayoutError(model, 'tokenizer/', 'no-tokenizer', NO_TOKENIZER);
  const externalData = Object.fromEntries(GRAPH_COMPONENTS.map((c) => [c, externalDataInListing(paths, c)])) as Record<GraphComponentName, string[]>;
  const configs = [MODEL_INDEX, SCHEDULER_CONFIG, ...COMPONENT_CONFIGS].filter((p) => has.has(p));
  const encoder = encoderInListing(paths);
  const files = [...configs, ...tokenizer.files, ...GRAPH_COMPONENTS.flatMap((c) => [GRAPH_PATH[c], ...externalData[c]]), ...(encoder ?? [])];
  return { graphs: { ...GRAPH_PATH }, externalData, configs, tokenizer, ...(encoder ? { encoder } : {}), files: [...new Set(files)] };
}

/** The VAE encoder's files in a listing (its config, graph and external data), or undefined without its graph. */
export function encoderInListing(paths: readonly string[]): string[] | undefined {
  if (!paths.includes(ENCODER.graph)) return undefined;
  return [...(paths.includes(ENCODER.config) ? [ENCODER.config] : []), ENCODER.graph, ...externalDataInListing(paths, ENCODER.component)];
}
