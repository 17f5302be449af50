// Validates a diffusers `model_index.json` for the ONNX Stable Diffusion layout (the "any repo id or URL"
// path) and plans the files to fetch from the Hub's file tree (which files: layoutPlan.ts; sizes, sha256).

import { ModelError } from './errors';
import { encoderInListing, externalDataInListing, GRAPH_COMPONENTS, planLayout, TOKENIZER_FILES } from './layoutPlan';
import { GRAPH_FILES, LAYOUT_FILES, OPTIONAL_CONFIGS, type ModelFileSpec } from './registry';

/** The components the studio needs, with the diffusers library/class pair each must name. */
const REQUIRED = ['unet', 'text_encoder', 'vae_decoder', 'tokenizer', 'scheduler'] as const;
export type Component = (typeof REQUIRED)[number];

export interface ModelIndex {
  className: string;
  /** component → [library, class], e.g. unet → ['diffusers', 'OnnxRuntimeModel']. */
  components: Record<Component, [string, string]>;
  schedulerClass: string;
}

/** One entry of the Hub's `GET /api/models/<repo>/tree/<rev>?recursive=true` answer. */
export interface TreeEntry {
  type: 'file' | 'directory' | string;
  path: string;
  size: number;
  oid?: string;
  lfs?: { oid: string; size: number; pointerSize?: number };
}

function pair(value: unknown): [string, string] | undefined {
  if (Array.isArray(value) && value.length === 2 && typeof value[0] === 'string' && typeof value[1] === 'string') return [value[0], value[1]];
  return undefined;
}

/**
 * The parsed index, or a ModelError('invalid-model') saying what is missing. `what` names the model in
 * messages. A PyTorch-only pipeline (`vae` instead of `vae_decoder`, UNet2DConditionModel) is told apart.
 */
export function validateModelIndex(json: unknown, what: string): ModelIndex {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new ModelError('invalid-model', `${what}: model_index.json is not a JSON object`, 'model_index.json');
  }
  const index = json as Record<string, unknown>;
  const className = typeof index._class_name === 'string' ? index._class_name : '';
  const components = {} as Record<Component, [string, string]>;
  const missing: string[] = [];
  for (const name of REQUIRED) {
    const p = pair(index[name]);
    if (p) components[name] = p;
    else missing.push(name);
  }
  if (missing.length > 0) {
    const ldmTorch = pair(index.bert) !== undefined && pair(index.vqvae) !== undefined;
    const torchOnly = missing.includes('vae_decoder') && pair(index.vae) !== undefined;
    const hint = ldmTorch
      ? ' It looks like the PyTorch LDMTextToImagePipeline (CompVis LDM text2im), not an ONNX export: convert it with tools/ldm/export_onnx.py.'
      : torchOnly
        ? ' It looks like a PyTorch (diffusers) pipeline, not an ONNX export: use a repo with text_encoder/, unet/, vae_decoder/ as ONNX graphs.'
        : ' An ONNX Stable Diffusion export names unet, text_encoder, vae_decoder, tokenizer and scheduler.';
    throw new ModelError('invalid-model', `${what}: model_index.json does not name ${missing.join(', ')}.${hint}`, 'model_index.json');
  }
  const unetClass = components.unet[1];
  if (unetClass !== 'OnnxRuntimeModel' && !/onnx|ort/i.test(className)) {
    throw new ModelError('invalid-model', `${what}: the UNet is a ${unetClass}, not an ONNX graph (pipeline ${className || 'unnamed'})`, 'model_index.json');
  }
  if (!/CLIPTokenizer|BertTokenizer/.test(components.tokenizer[1])) {
    throw new ModelError('invalid-model', `${what}: the tokenizer is ${components.tokenizer[1]}; CLIP tokenizers (SD 1.x) and BERT tokenizers (LDM text2im) are supported`, 'model_index.json');
  }
  return { className, components, schedulerClass: components.scheduler[1] };
}

/** The tree's files by path. */
export function treeFiles(tree: readonly TreeEntry[]): Map<string, TreeEntry> {
  return new Map(tree.filter((e) => e.type === 'file').map((e) => [e.path, e]));
}

/** Size and sha256 of a tree entry: LFS files carry the sha256 as `lfs.oid`; small files only a git sha1. */
export function specFromTree(path: string, entry: TreeEntry | undefined, optional?: boolean): ModelFileSpec {
  const spec: ModelFileSpec = { path };
  if (entry) {
    spec.size = entry.lfs?.size ?? entry.size;
    if (entry.lfs && /^[0-9a-f]{64}$/.test(entry.lfs.oid)) spec.sha256 = entry.lfs.oid;
  }
  if (optional) spec.optional = true;
  return spec;
}

/**
 * Files to fetch for a validated model. With the Hub tree: the layout plan (src/models/layoutPlan.ts) — the
 * three graphs, every component's external data (`weights.pb`, `*.onnx_data`, `*.onnx.data`), the configs
 * present, the tokenizer form present — with exact sizes and sha256; a LayoutError when the tree lacks a graph,
 * the scheduler config or a tokenizer. Without a tree (plain URL): the standard paths, configs and both
 * tokenizer forms optional; external data is found after reading the graphs (ensureModel's `externalData`).
 */
export function planFiles(tree: readonly TreeEntry[] | undefined, what: string): ModelFileSpec[] {
  if (!tree) {
    const tokenizer = new Set<string>([TOKENIZER_FILES.vocab, TOKENIZER_FILES.merges]);
    const base = [...LAYOUT_FILES.map((f) => (tokenizer.has(f.path) ? { ...f, optional: true } : f)), ...OPTIONAL_CONFIGS, { path: TOKENIZER_FILES.wordPiece, optional: true }];
    return [...base, ...Object.values(GRAPH_FILES).map((path) => ({ path }))];
  }
  const files = treeFiles(tree);
  const plan = planLayout([...files.keys()], what);
  const optional = new Set([...LAYOUT_FILES, ...OPTIONAL_CONFIGS].filter((f) => f.optional).map((f) => f.path));
  return plan.files.map((path) => specFromTree(path, files.get(path), optional.has(path) || undefined));
}

/**
 * Fills sizes/sha256 a registry entry lacks from the tree (never overrides a pinned value), and adds what the
 * tree has that the layout reads but the entry does not list: per-component configs and external data.
 */
export function completeFromTree(files: readonly ModelFileSpec[], tree: readonly TreeEntry[] | undefined): ModelFileSpec[] {
  if (!tree) return [...files];
  const byPath = treeFiles(tree);
  const listed = new Set(files.map((f) => f.path));
  const paths = [...byPath.keys()];
  const extra: ModelFileSpec[] = [
    ...OPTIONAL_CONFIGS.filter((f) => !listed.has(f.path)),
    ...GRAPH_COMPONENTS.flatMap((c) => externalDataInListing(paths, c)).filter((p) => !listed.has(p)).map((path) => ({ path })),
    // The VAE encoder when the repo has one (editing a picture); a model without it still loads.
    ...(encoderInListing(paths) ?? []).filter((p) => !listed.has(p)).map((path) => ({ path })),
  ];
  return [...files, ...extra]
    .filter((f) => !f.optional || byPath.has(f.path))
    .map((f) => {
      const t = specFromTree(f.path, byPath.get(f.path), f.optional);
      return { ...t, ...Object.fromEntries(Object.entries(f).filter(([, v]) => v !== undefined)) } as ModelFileSpec;
    });
}
