// Test fixture: writes a small model folder in the diffusers ONNX layout (random bytes stand in for the
// graphs) so the mock Hub and the downloader can be tested before the toy model exists.

import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { testTempDir } from '../../tests/helpers/tempDir';

export const FAKE_MODEL_INDEX = {
  _class_name: 'OnnxStableDiffusionPipeline',
  _diffusers_version: '0.14.0',
  scheduler: ['diffusers', 'PNDMScheduler'],
  text_encoder: ['diffusers', 'OnnxRuntimeModel'],
  tokenizer: ['transformers', 'CLIPTokenizer'],
  unet: ['diffusers', 'OnnxRuntimeModel'],
  vae_decoder: ['diffusers', 'OnnxRuntimeModel'],
  safety_checker: [null, null],
};

/** Deterministic pseudo-random bytes (xorshift), so failures reproduce. */
export function fakeBytes(n: number, seed = 1): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

export interface FakeModelOptions {
  /** Bytes of unet/model.onnx (default 256 kB, enough for a mid-file drop). */
  unetBytes?: number;
  /** Also write unet/weights.pb of this size (the external-weights form). */
  weightsBytes?: number;
  /** Replace model_index.json (e.g. a PyTorch pipeline) or leave it out (null). */
  modelIndex?: object | null;
}

/** Writes the folder (a new temp folder, removed with the test file's others, unless `dir` is given) and returns its path and files. */
export async function makeFakeModel(opts: FakeModelOptions = {}, dir?: string): Promise<{ dir: string; files: Record<string, Uint8Array> }> {
  const root = dir ?? testTempDir('fake-model-');
  const text = (s: string) => new TextEncoder().encode(s);
  const files: Record<string, Uint8Array> = {
    'scheduler/scheduler_config.json': text(JSON.stringify({ _class_name: 'PNDMScheduler', steps_offset: 1 })),
    'tokenizer/vocab.json': text(JSON.stringify({ '<|startoftext|>': 0, '<|endoftext|>': 1, 'a</w>': 2 })),
    'tokenizer/merges.txt': text('#version: 0.2\na </w>\n'),
    'tokenizer/tokenizer_config.json': text(JSON.stringify({ model_max_length: 77 })),
    'text_encoder/model.onnx': fakeBytes(40_000, 2),
    'unet/model.onnx': fakeBytes(opts.unetBytes ?? 256_000, 3),
    'unet/config.json': text(JSON.stringify({ sample_size: 8 })),
    'vae_decoder/model.onnx': fakeBytes(30_000, 4),
  };
  if (opts.modelIndex !== null) files['model_index.json'] = text(JSON.stringify(opts.modelIndex ?? FAKE_MODEL_INDEX));
  if (opts.weightsBytes) files['unet/weights.pb'] = fakeBytes(opts.weightsBytes, 5);
  for (const [path, bytes] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), bytes);
  }
  return { dir: root, files };
}
