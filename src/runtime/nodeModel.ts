// Loads a diffusers-layout ONNX model folder in Node into a PipelineModel: the folder resolved by
// src/models/layout.ts (configs, latent size, free-dimension overrides), the tokenizer and the three
// sessions; optionally instruments the UNet for Prompt-to-Prompt (a LayoutError when it cannot be).

import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { copyFile, link, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { PipelineModel } from '../diffusion';
import { DEFAULT_SCALING_FACTOR, instrumentDefaults, notInstrumentable, resolveLayout, type ModelLayout } from '../models/layout';
import { instrumentUnet, type InstrumentOptions, type InstrumentReport } from '../onnx';
import { loadPromptTokenizer } from '../text';
import { dirLayoutReader } from './nodeLayoutReader';
import { createOrtNodeBackend, type NodeExecutionProvider } from './ortNode';

export { DEFAULT_SCALING_FACTOR };

export interface NodeModelOptions {
  /** Rewrite a stock UNet into the instrumented one at load time (needed for P2P edits). */
  instrument?: boolean;
  /** Overrides for the instrumentation; defaults come from the folder's p2p.json and its resolved latent size. */
  instrumentOptions?: InstrumentOptions;
  threads?: number;
  /** Default `cpu` (see ortNode.ts). */
  executionProvider?: NodeExecutionProvider;
}

export interface NodeModel extends PipelineModel {
  dir: string;
  /** How the folder was resolved (graphs, latent size, precision, free-dimension overrides). */
  layout: ModelLayout;
  /** What the instrumentation found, when the UNet was instrumented at load time. */
  instrumentReport?: InstrumentReport;
  dispose(): Promise<void>;
}

/** A hard link (no copy) where the file system allows, else a copy. ORT refuses symlinks that leave the model's folder. */
async function linkOrCopy(from: string, to: string): Promise<void> {
  try {
    await link(from, to);
  } catch {
    await copyFile(from, to);
  }
}

/**
 * The instrumented UNet as a file ORT can open: the rewritten graph in a temp folder beside links
 * to the original folder's files (its external data, and the original model as the embedded weights).
 */
async function instrumentedUnetFile(unetDir: string, model: string, options: InstrumentOptions): Promise<{ path: string; report?: InstrumentReport; cleanup: () => Promise<void> }> {
  const original = join(unetDir, 'model.onnx');
  let result: ReturnType<typeof instrumentUnet>;
  try {
    result = instrumentUnet(new Uint8Array(readFileSync(original)), options);
  } catch (err) {
    const message = (err as Error).message;
    if (/already instrumented/.test(message)) return { path: original, cleanup: async () => {} };
    throw notInstrumentable(model, message);
  }
  const tmp = await mkdtemp(join(tmpdir(), 'p2p-unet-'));
  for (const name of readdirSync(unetDir)) {
    if (name !== 'model.onnx') await linkOrCopy(resolve(unetDir, name), join(tmp, name));
  }
  if (result.externalData) await linkOrCopy(resolve(original), join(tmp, result.externalData.path));
  const path = join(tmp, 'model.onnx');
  await writeFile(path, result.model);
  return { path, report: result.report, cleanup: () => rm(tmp, { recursive: true, force: true }) };
}

export async function loadNodeModel(dir: string, opts: NodeModelOptions = {}): Promise<NodeModel> {
  const layout = await resolveLayout(dirLayoutReader(dir));
  const tokenizer = await loadPromptTokenizer(join(dir, 'tokenizer'));
  const { schedulerConfig, scalingFactor, graphs } = layout;

  let unet = join(dir, 'unet/model.onnx');
  let instrumentReport: InstrumentReport | undefined;
  let cleanup = async (): Promise<void> => {};
  if (opts.instrument) {
    const made = await instrumentedUnetFile(join(dir, 'unet'), layout.model, { ...instrumentDefaults(layout), ...opts.instrumentOptions });
    unet = made.path;
    instrumentReport = made.report;
    cleanup = made.cleanup;
  }
  try {
    const backend = await createOrtNodeBackend({
      textEncoder: join(dir, 'text_encoder/model.onnx'),
      unet,
      vaeDecoder: join(dir, 'vae_decoder/model.onnx'),
      // Optional: a picture to edit needs it (diffusers' and optimum's exports write it beside the decoder).
      ...(existsSync(join(dir, 'vae_encoder/model.onnx')) ? { vaeEncoder: join(dir, 'vae_encoder/model.onnx') } : {}),
      latentSize: layout.latentSize,
      threads: opts.threads,
      executionProvider: opts.executionProvider,
      freeDimensions: { textEncoder: graphs.text_encoder.freeDimensionOverrides, unet: graphs.unet.freeDimensionOverrides, vaeDecoder: graphs.vae_decoder.freeDimensionOverrides },
    });
    return { dir, layout, backend, tokenizer, schedulerConfig, scalingFactor, instrumentReport, dispose: () => backend.dispose() };
  } finally {
    // ORT has read (or mapped) the graph and its weights: the temp folder is no longer needed.
    await cleanup();
  }
}
