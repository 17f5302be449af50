// Loads a diffusers-layout ONNX model folder in Node (tokenizer, scheduler config, VAE scaling factor,
// the three sessions) into a PipelineModel; optionally instruments the UNet for Prompt-to-Prompt.

import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { copyFile, link, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { PipelineModel } from '../diffusion';
import { instrumentUnet, type InstrumentOptions, type InstrumentReport } from '../onnx';
import { loadClipTokenizer } from '../text';
import { createOrtNodeBackend } from './ortNode';

export const DEFAULT_SCALING_FACTOR = 0.18215;

export interface NodeModelOptions {
  /** Rewrite a stock UNet into the instrumented one at load time (needed for P2P edits). */
  instrument?: boolean;
  /** Overrides for the instrumentation; defaults come from the folder's p2p.json and unet/config.json. */
  instrumentOptions?: InstrumentOptions;
  threads?: number;
}

export interface NodeModel extends PipelineModel {
  dir: string;
  /** What the instrumentation found, when the UNet was instrumented at load time. */
  instrumentReport?: InstrumentReport;
  dispose(): Promise<void>;
}

const REQUIRED = ['text_encoder/model.onnx', 'unet/model.onnx', 'vae_decoder/model.onnx', 'scheduler/scheduler_config.json'];

function readJsonFile(path: string): Record<string, unknown> {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch (err) {
    throw new Error(`cannot read ${path}: ${(err as Error).message}`);
  }
}

function optionalJson(path: string): Record<string, unknown> | undefined {
  return existsSync(path) ? readJsonFile(path) : undefined;
}

/** unet/config.json `sample_size` (a number or [h, w]), if the folder has it. */
function latentSizeOf(dir: string): [number, number] | undefined {
  const size = optionalJson(join(dir, 'unet/config.json'))?.sample_size;
  if (typeof size === 'number') return [size, size];
  if (Array.isArray(size) && size.length === 2 && size.every((s) => typeof s === 'number')) return [size[0] as number, size[1] as number];
  return undefined;
}

/** Instrumentation settings a model ships in `p2p.json` (`selfMaxQuery`, `mapResolution`) and its latent size. */
function instrumentDefaults(dir: string): InstrumentOptions {
  const p2p = optionalJson(join(dir, 'p2p.json')) ?? {};
  const out: InstrumentOptions = {};
  const latentSize = latentSizeOf(dir);
  if (latentSize) out.latentSize = latentSize;
  if (typeof p2p.selfMaxQuery === 'number') out.selfMaxQuery = p2p.selfMaxQuery;
  if (typeof p2p.mapResolution === 'number') out.mapResolution = p2p.mapResolution;
  return out;
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
async function instrumentedUnetFile(unetDir: string, options: InstrumentOptions): Promise<{ path: string; report?: InstrumentReport; cleanup: () => Promise<void> }> {
  const original = join(unetDir, 'model.onnx');
  let result: ReturnType<typeof instrumentUnet>;
  try {
    result = instrumentUnet(new Uint8Array(readFileSync(original)), options);
  } catch (err) {
    const message = (err as Error).message;
    if (/already instrumented/.test(message)) return { path: original, cleanup: async () => {} };
    throw new Error(`Prompt-to-Prompt needs the attention-instrumented UNet, and ${original} could not be instrumented: ${message}`);
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
  const missing = REQUIRED.filter((f) => !existsSync(join(dir, f)));
  if (missing.length > 0) throw new Error(`${dir} is not a diffusers ONNX model folder: missing ${missing.join(', ')}`);
  const tokenizerDir = existsSync(join(dir, 'tokenizer')) ? join(dir, 'tokenizer') : dir;
  const tokenizer = await loadClipTokenizer(tokenizerDir);
  const schedulerConfig = readJsonFile(join(dir, 'scheduler/scheduler_config.json'));
  const vaeConfig = optionalJson(join(dir, 'vae_decoder/config.json')) ?? {};
  const scalingFactor = typeof vaeConfig.scaling_factor === 'number' ? vaeConfig.scaling_factor : DEFAULT_SCALING_FACTOR;

  let unet = join(dir, 'unet/model.onnx');
  let instrumentReport: InstrumentReport | undefined;
  let cleanup = async (): Promise<void> => {};
  if (opts.instrument) {
    const made = await instrumentedUnetFile(join(dir, 'unet'), { ...instrumentDefaults(dir), ...opts.instrumentOptions });
    unet = made.path;
    instrumentReport = made.report;
    cleanup = made.cleanup;
  }
  try {
    const backend = await createOrtNodeBackend({
      textEncoder: join(dir, 'text_encoder/model.onnx'),
      unet,
      vaeDecoder: join(dir, 'vae_decoder/model.onnx'),
      latentSize: latentSizeOf(dir),
      threads: opts.threads,
    });
    return { dir, backend, tokenizer, schedulerConfig, scalingFactor, instrumentReport, dispose: () => backend.dispose() };
  } finally {
    // ORT has read (or mapped) the graph and its weights: the temp folder is no longer needed.
    await cleanup();
  }
}
