// One model-layout resolver for Node, the worker and the download planner: from model_index.json, each
// component's config and the graphs' own input metadata, what a load needs — the graphs and their external
// data, the latent and image size, precision per graph (from element types, not file sizes), the tokenizer
// form, and the ORT free-dimension overrides every session gets. Failures are LayoutErrors (model, file,
// pattern). Pure: reads through `LayoutReader`; no DOM, no ORT. See docs/models.md, "How a model folder is resolved".

import { elemTypeName, readGraphInfo, type GraphInfo, type GraphValue } from '../onnx/graphInfo';
import { NotOnnxError } from '../onnx/notOnnx';
import { LayoutError, ModelError } from './errors';
import {
  COMPONENT_CONFIGS,
  GRAPH_COMPONENTS,
  GRAPH_PATH,
  MODEL_INDEX,
  planLayout,
  SCHEDULER_CONFIG,
  tokenizerLayout,
  NO_TOKENIZER,
  TOKENIZER_FILES,
  TOKENIZER_FORM_FILES,
  type GraphComponentName,
  type TokenizerLayout,
} from './layoutPlan';
import { validateModelIndex, type ModelIndex } from './modelIndex';

/** How the resolver reads a model folder: a Node directory, the browser cache, a web folder. */
export interface LayoutReader {
  /** The model as people name it, for messages. */
  readonly model: string;
  /** Every file path in the folder (`/`-separated), or undefined when the source cannot list (a web folder). */
  list(): Promise<readonly string[] | undefined>;
  /** A text file, or undefined when the folder does not have it. */
  text(path: string): Promise<string | undefined>;
  /** A file's bytes (rejects when it is missing). */
  bytes(path: string): Promise<Uint8Array>;
}

export type GraphPrecision = 'fp16' | 'fp32';

export interface GraphLayout {
  path: string;
  /** External-data files the graph's initializers name, as paths inside the model folder. */
  externalData: string[];
  /** fp16 when its float inputs are float16 or most of its weight elements are; else fp32. */
  precision: GraphPrecision;
  /** Element types of the graph's weights: type name → elements. */
  weightTypes: Record<string, number>;
  inputs: GraphValue[];
  /** dim_param → value, for `SessionOptions.freeDimensionOverrides` (never the batch; see below). */
  freeDimensionOverrides: Record<string, number>;
}

export type LatentSource = 'unet/model.onnx' | 'unet/config.json' | 'vae_decoder/config.json' | 'vae_decoder/model.onnx';

export interface ModelLayout {
  model: string;
  /** model_index.json, validated, when the folder has one. */
  index?: ModelIndex;
  graphs: Record<GraphComponentName, GraphLayout>;
  /** Latent `[h, w]` the UNet runs at, and where it came from. */
  latentSize: [number, number];
  latentSource: LatentSource;
  /** The VAE's downsampling factor (2^(levels − 1)); 8 when nothing says. */
  vaeFactor: number;
  imageSize: [number, number];
  /** The UNet's precision (what the device must run). */
  precision: GraphPrecision;
  tokenizer: TokenizerLayout;
  schedulerConfig: Record<string, unknown>;
  /** vae_decoder/config.json `scaling_factor`, else SD's 0.18215. */
  scalingFactor: number;
  /** p2p.json (instrumentation defaults), when present. */
  p2p?: Record<string, unknown>;
  /** Present per-component configs by path. */
  configs: Record<string, Record<string, unknown>>;
}

/** CLIP's context length: every prompt is padded to it (and the instrumented UNet's p2p inputs use it). */
export const CONTEXT_LENGTH = 77;
export const DEFAULT_SCALING_FACTOR = 0.18215;
/** The image side SD 1.x was trained at, for a latent size from the VAE factor alone. */
export const DEFAULT_IMAGE_SIDE = 512;
const DEFAULT_VAE_FACTOR = 8;

const FLOAT = 1;
const FLOAT16 = 10;
const FEEDABLE: Record<GraphComponentName, { input: string; types: number[] }> = {
  text_encoder: { input: 'input_ids', types: [6, 7] },
  unet: { input: 'sample', types: [FLOAT, FLOAT16] },
  vae_decoder: { input: 'latent_sample', types: [FLOAT, FLOAT16] },
};

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

async function readJson(reader: LayoutReader, path: string, required: boolean): Promise<Record<string, unknown> | undefined> {
  const text = await reader.text(path);
  if (text === undefined) {
    if (required) throw new LayoutError(reader.model, path, 'missing-file', 'missing');
    return undefined;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new LayoutError(reader.model, path, 'bad-config', `not valid JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  if (!isRecord(json)) throw new LayoutError(reader.model, path, 'bad-config', 'not a JSON object');
  return json;
}

/** A `sample_size` (number or [h, w]) as [h, w]; undefined when absent; a LayoutError when malformed. */
function sizePair(value: unknown, model: string, file: string): [number, number] | undefined {
  if (value === undefined || value === null) return undefined;
  const pair = typeof value === 'number' ? [value, value] : Array.isArray(value) && value.length === 2 ? value : undefined;
  if (!pair || !pair.every((v) => typeof v === 'number' && Number.isInteger(v) && v > 0)) {
    throw new LayoutError(model, file, 'bad-config', `sample_size is ${JSON.stringify(value)}; expected a positive integer or [height, width]`);
  }
  return [pair[0] as number, pair[1] as number];
}

/** The input the engine feeds a graph (by name, else the first one), checked for a type it can feed. */
function feedInput(model: string, component: GraphComponentName, info: GraphInfo): GraphValue {
  const { input, types } = FEEDABLE[component];
  const value = info.inputs.find((i) => i.name === input) ?? info.inputs.find((i) => !i.name.startsWith('p2p_'));
  const file = GRAPH_PATH[component];
  if (!value) throw new LayoutError(model, file, 'missing-input', `has no inputs (expected ${input})`);
  if (!types.includes(value.elemType)) {
    const want = types.map(elemTypeName).join(' or ');
    throw new LayoutError(model, file, 'unsupported-element-type', `input ${value.name} is ${elemTypeName(value.elemType)}; the engine feeds ${want}`);
  }
  return value;
}

function precisionOf(info: GraphInfo, fed: GraphValue): GraphPrecision {
  if (fed.elemType === FLOAT16) return 'fp16';
  const half = info.weightElements[FLOAT16] ?? 0;
  const single = info.weightElements[FLOAT] ?? 0;
  return half > single ? 'fp16' : 'fp32';
}

/** External-data locations as folder paths; a location leaving the graph's folder is refused. */
function externalPaths(model: string, component: GraphComponentName, info: GraphInfo, listing: readonly string[] | undefined): string[] {
  const file = GRAPH_PATH[component];
  return info.externalData.map((location) => {
    if (location.startsWith('/') || /^[a-z]+:/i.test(location) || location.split(/[\\/]/).includes('..')) {
      throw new LayoutError(model, file, 'external-data-path', `names external data at "${location}", outside its folder`);
    }
    const path = `${component}/${location}`;
    if (listing && !listing.includes(path)) throw new LayoutError(model, path, 'missing-external-data', `named by ${file} as external data, but the folder does not have it`);
    return path;
  });
}

/**
 * dim_param → value for a graph's symbolic dims whose value the run fixes: latent height/width, the 77-token
 * sequence, channels and hidden size when a config states them. The batch is never fixed (it varies: prompts
 * × 2, or one row in low-memory mode), nor any name also used at a batch position; a name asked to take two
 * values is dropped. Wrong overrides would make ORT reject valid feeds, so only these positions are used.
 */
function freeDims(info: GraphInfo, positions: Record<string, (number | undefined)[]>): Record<string, number> {
  const batchNames = new Set<string>();
  for (const input of info.inputs) if (typeof input.dims?.[0] === 'string') batchNames.add(input.dims[0]);
  const out: Record<string, number> = {};
  const conflicting = new Set<string>();
  for (const input of info.inputs) {
    const wanted = positions[input.name];
    if (!wanted || !input.dims) continue;
    input.dims.forEach((dim, i) => {
      const value = wanted[i];
      if (typeof dim !== 'string' || value === undefined || batchNames.has(dim)) return;
      if (out[dim] !== undefined && out[dim] !== value) conflicting.add(dim);
      out[dim] = value;
    });
  }
  for (const name of conflicting) delete out[name];
  return out;
}

const positive = (v: unknown): number | undefined => (typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : undefined);

/** The VAE factor from vae_decoder/config.json `block_out_channels`, else its graph's upsamplers. */
function vaeFactorOf(model: string, vaeConfig: Record<string, unknown> | undefined, vae: GraphInfo): { factor: number; source: LatentSource } | undefined {
  const blocks = vaeConfig?.block_out_channels;
  if (blocks !== undefined) {
    if (!Array.isArray(blocks) || blocks.length === 0) throw new LayoutError(model, 'vae_decoder/config.json', 'bad-config', `block_out_channels is ${JSON.stringify(blocks)}; expected a list`);
    return { factor: 2 ** (blocks.length - 1), source: 'vae_decoder/config.json' };
  }
  const ups = (vae.ops.Resize ?? 0) + (vae.ops.Upsample ?? 0);
  return ups > 0 ? { factor: 2 ** ups, source: 'vae_decoder/model.onnx' } : undefined;
}

/**
 * The layout of the folder `reader` reads. Reads model_index.json (when present, validated), the configs,
 * the tokenizer files' presence, and the three graphs' metadata (not their external data).
 */
export async function resolveLayout(reader: LayoutReader): Promise<ModelLayout> {
  const { model } = reader;
  const listing = await reader.list();
  // A listing is checked up front (graphs, scheduler, tokenizer); a web folder is probed file by file.
  if (listing) planLayout(listing, model);
  const indexJson = await readJson(reader, MODEL_INDEX, false);
  const index = indexJson ? modelIndexOf(indexJson, model) : undefined;
  const schedulerConfig = (await readJson(reader, SCHEDULER_CONFIG, true))!;
  const configs: Record<string, Record<string, unknown>> = {};
  for (const path of COMPONENT_CONFIGS) {
    if (listing && !listing.includes(path)) continue;
    const json = await readJson(reader, path, false);
    if (json) configs[path] = json;
  }
  const tokenizer = listing ? tokenizerLayout((p) => listing.includes(p)) : await probeTokenizer(reader);
  if (!tokenizer) throw new LayoutError(model, 'tokenizer/', 'no-tokenizer', NO_TOKENIZER);

  const infos = {} as Record<GraphComponentName, GraphInfo>;
  for (const component of GRAPH_COMPONENTS) {
    const file = GRAPH_PATH[component];
    let bytes: Uint8Array;
    try {
      bytes = await reader.bytes(file);
    } catch (err) {
      // The reader's own typed errors (a damaged cached file, a cancel) pass through; a folder that could not
      // list says here that the graph is not there.
      if (err instanceof ModelError || (err instanceof Error && err.name === 'AbortError') || listing) throw err;
      throw new LayoutError(model, file, 'missing-graph', `cannot be read (${err instanceof Error ? err.message : String(err)})`);
    }
    try {
      infos[component] = readGraphInfo(bytes);
    } catch (err) {
      if (!(err instanceof NotOnnxError)) throw err;
      throw new LayoutError(model, file, 'unreadable-graph', err.message.replace(/^not an ONNX model: /, ''));
    }
  }

  const unetConfig = configs['unet/config.json'];
  const vaeConfig = configs['vae_decoder/config.json'];
  const fed = {
    text_encoder: feedInput(model, 'text_encoder', infos.text_encoder),
    unet: feedInput(model, 'unet', infos.unet),
    vae_decoder: feedInput(model, 'vae_decoder', infos.vae_decoder),
  };

  // Latent size: the UNet graph's static sample dims (it runs at nothing else), unet/config.json sample_size,
  // else the image side (the VAE's sample_size, else 512) over the VAE's downsampling factor.
  const vae = vaeFactorOf(model, vaeConfig, infos.vae_decoder);
  const staticDims = fed.unet.dims;
  let latentSize: [number, number];
  let latentSource: LatentSource;
  const configured = sizePair(unetConfig?.sample_size, model, 'unet/config.json');
  if (typeof staticDims?.[2] === 'number' && typeof staticDims[3] === 'number') [latentSize, latentSource] = [[staticDims[2], staticDims[3]], 'unet/model.onnx'];
  else if (configured) [latentSize, latentSource] = [configured, 'unet/config.json'];
  else if (vae) {
    const image = sizePair(vaeConfig?.sample_size, model, 'vae_decoder/config.json') ?? [DEFAULT_IMAGE_SIDE, DEFAULT_IMAGE_SIDE];
    latentSize = [Math.max(1, Math.floor(image[0] / vae.factor)), Math.max(1, Math.floor(image[1] / vae.factor))];
    latentSource = vae.source;
  } else {
    throw new LayoutError(model, 'unet/config.json', 'unknown-latent-size', 'has no sample_size (or is absent), the VAE states no downsampling factor and unet/model.onnx has symbolic sample dims, so the latent size is unknown');
  }
  const vaeFactor = vae?.factor ?? DEFAULT_VAE_FACTOR;

  const [h, w] = latentSize;
  const positions: Record<GraphComponentName, Record<string, (number | undefined)[]>> = {
    text_encoder: { [fed.text_encoder.name]: [undefined, CONTEXT_LENGTH] },
    unet: {
      [fed.unet.name]: [undefined, positive(unetConfig?.in_channels), h, w],
      encoder_hidden_states: [undefined, CONTEXT_LENGTH, positive(unetConfig?.cross_attention_dim)],
    },
    vae_decoder: { [fed.vae_decoder.name]: [undefined, positive(vaeConfig?.latent_channels), h, w] },
  };
  const graphs = {} as Record<GraphComponentName, GraphLayout>;
  for (const component of GRAPH_COMPONENTS) {
    const info = infos[component];
    graphs[component] = {
      path: GRAPH_PATH[component],
      externalData: externalPaths(model, component, info, listing),
      precision: precisionOf(info, fed[component]),
      weightTypes: Object.fromEntries(Object.entries(info.weightElements).map(([t, n]) => [elemTypeName(Number(t)), n])),
      inputs: info.inputs,
      freeDimensionOverrides: freeDims(info, positions[component]),
    };
  }
  const scaling = vaeConfig?.scaling_factor;
  return {
    model,
    index,
    graphs,
    latentSize,
    latentSource,
    vaeFactor,
    imageSize: [h * vaeFactor, w * vaeFactor],
    precision: graphs.unet.precision,
    tokenizer,
    schedulerConfig,
    scalingFactor: typeof scaling === 'number' && scaling > 0 ? scaling : DEFAULT_SCALING_FACTOR,
    p2p: configs['p2p.json'],
    configs,
  };
}

/** Instrumentation settings for a resolved model: its latent size, and p2p.json's `selfMaxQuery` / `mapResolution`. */
export function instrumentDefaults(layout: ModelLayout): { latentSize: [number, number]; selfMaxQuery?: number; mapResolution?: number } {
  const p2p = layout.p2p ?? {};
  return {
    latentSize: layout.latentSize,
    ...(typeof p2p.selfMaxQuery === 'number' ? { selfMaxQuery: p2p.selfMaxQuery } : {}),
    ...(typeof p2p.mapResolution === 'number' ? { mapResolution: p2p.mapResolution } : {}),
  };
}

/**
 * The typed error for a UNet the edit cannot be inserted into (Node and web alike). The stock UNet runs only
 * when asked for: the CLI without an edit, or the web loader's `allowStockUnet`.
 */
export function notInstrumentable(model: string, detail: string): LayoutError {
  return new LayoutError(
    model,
    GRAPH_PATH.unet,
    'not-instrumentable',
    `Prompt-to-Prompt needs the attention-instrumented UNet, and this one could not be instrumented: ${detail}. Only a run without edits can use the stock UNet, and only when chosen explicitly`,
  );
}

/** model_index.json validated, its refusal as a LayoutError. */
function modelIndexOf(json: Record<string, unknown>, model: string): ModelIndex {
  try {
    return validateModelIndex(json, model);
  } catch (err) {
    const detail = (err instanceof Error ? err.message : String(err)).replace(`${model}: model_index.json `, '').replace(`${model}: `, '');
    throw new LayoutError(model, MODEL_INDEX, 'model-index', detail);
  }
}

/**
 * The tokenizer form of a folder that cannot list, by asking for the files in the order the forms are preferred
 * and stopping at the first complete one: a file a folder does not need is never asked for (offline, the service
 * worker has only the files the folder has, and a request for another fails instead of answering 404).
 */
async function probeTokenizer(reader: LayoutReader): Promise<TokenizerLayout | undefined> {
  const present = new Set<string>();
  const ask = async (path: string) => {
    if ((await reader.text(path)) !== undefined) present.add(path);
  };
  await ask(TOKENIZER_FILES.config);
  for (const form of TOKENIZER_FORM_FILES) {
    for (const path of form.files) await ask(path);
    const found = tokenizerLayout((p) => present.has(p), [form]);
    if (found) return found;
  }
  return undefined;
}
